package io.sage.host.engine;

/**
 * Told about every committed transition, with the record as committed, on the thread that committed
 * it; must not block.
 */
@FunctionalInterface
public interface EngineListener {
  void onTransition(EngineRecord record, EngineEvent event);
}

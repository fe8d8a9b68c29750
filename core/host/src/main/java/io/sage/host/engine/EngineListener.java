package io.sage.host.engine;

/**
 * Told about every committed transition, with the record as committed (and about every engine
 * forgotten), on the thread that committed it; must not block.
 */
@FunctionalInterface
public interface EngineListener {
  void onTransition(EngineRecord record, EngineEvent event);

  /** The engine was forgotten (purged); it is no longer in the registry. */
  default void onRemoved(EngineRecord record) {}
}

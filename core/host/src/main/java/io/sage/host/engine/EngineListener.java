package io.sage.host.engine;

/** Told about every committed transition, on the thread that committed it; must not block. */
@FunctionalInterface
public interface EngineListener {
  void onTransition(EngineEntry entry, EngineEvent event);
}

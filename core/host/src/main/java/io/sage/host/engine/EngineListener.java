package io.sage.host.engine;

/**
 * Told about every committed transition (and every engine forgotten), on the thread that committed
 * it; must not block.
 */
@FunctionalInterface
public interface EngineListener {
  void onTransition(EngineEntry entry, EngineEvent event);

  /** The engine was forgotten (purged); its entry is no longer in the registry. */
  default void onRemoved(EngineEntry entry) {}
}

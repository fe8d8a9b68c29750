package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;

/**
 * Told about every readiness or health probe the supervisor completes (for metrics). Runs on the
 * probe's completion thread; must be cheap and must not block.
 */
@FunctionalInterface
public interface ProbeObserver {
  ProbeObserver NONE = (entry, ok, nanos) -> {};

  /**
   * @param entry the probed engine
   * @param ok whether the probe passed
   * @param nanos how long the probe took
   */
  void onProbe(EngineEntry entry, boolean ok, long nanos);
}

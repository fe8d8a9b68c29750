package io.sage.host.engine;

/**
 * Told about every readiness or health probe the control plane completes (for metrics). Runs on the
 * probe's completion thread; must be cheap and must not block.
 */
@FunctionalInterface
public interface ProbeObserver {
  ProbeObserver NONE = (engine, ok, nanos) -> {};

  /**
   * @param engine the probed engine as last committed
   * @param ok whether the probe passed
   * @param nanos how long the probe took
   */
  void onProbe(EngineRecord engine, boolean ok, long nanos);
}

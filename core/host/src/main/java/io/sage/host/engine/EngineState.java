package io.sage.host.engine;

/** The observed state of an engine (docs/spec.md §3). */
public enum EngineState {
  STARTING,
  READY,
  DRAINING,
  STOPPED,
  ERROR;

  /** Whether a process may be running in this state. */
  public boolean isActive() {
    return switch (this) {
      case STARTING, READY, DRAINING -> true;
      case STOPPED, ERROR -> false;
    };
  }
}

package io.sage.host.engine;

/** What the operator wants: the engine running, or stopped. Reconciliation acts on it. */
public enum DesiredState {
  RUNNING,
  STOPPED;

  public boolean isRunning() {
    return switch (this) {
      case RUNNING -> true;
      case STOPPED -> false;
    };
  }
}

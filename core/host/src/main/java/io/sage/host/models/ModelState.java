package io.sage.host.models;

/** A declared model as {@code /v1/models} shows it. */
public enum ModelState {
  /** At least one READY engine. */
  RUNNING,
  /** An engine is starting (or failed and is being restarted); requests wait. */
  LOADING,
  /** Nothing runs; the next request starts it (on demand) or the reconciler will. */
  IDLE;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

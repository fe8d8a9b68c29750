package io.sage.client.management;

/**
 * The gateway's engine states (docs/spec.md §3); {@link #UNKNOWN} for a state a newer gateway
 * added.
 */
public enum EngineState {
  STARTING,
  READY,
  DRAINING,
  STOPPED,
  ERROR,
  UNKNOWN;

  public static EngineState parse(String value) {
    if (value == null) {
      return UNKNOWN;
    }
    for (EngineState state : values()) {
      if (state.name().equalsIgnoreCase(value.trim())) {
        return state;
      }
    }
    return UNKNOWN;
  }
}

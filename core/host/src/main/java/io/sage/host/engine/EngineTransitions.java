package io.sage.host.engine;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one place that knows which state transitions exist (docs/spec.md §3). Everything that changes
 * an engine's state goes through {@link #check}.
 */
public final class EngineTransitions {
  private static final Map<EngineState, Set<EngineState>> ALLOWED =
      new EnumMap<>(EngineState.class);

  static {
    ALLOWED.put(
        EngineState.STARTING,
        EnumSet.of(EngineState.READY, EngineState.ERROR, EngineState.STOPPED));
    ALLOWED.put(EngineState.READY, EnumSet.of(EngineState.ERROR, EngineState.DRAINING));
    ALLOWED.put(EngineState.DRAINING, EnumSet.of(EngineState.STOPPED));
    ALLOWED.put(EngineState.ERROR, EnumSet.of(EngineState.STARTING, EngineState.STOPPED));
    ALLOWED.put(EngineState.STOPPED, EnumSet.of(EngineState.STARTING));
  }

  private EngineTransitions() {}

  /** Whether {@code from → to} is a transition of the state machine. */
  public static boolean isAllowed(EngineState from, EngineState to) {
    return ALLOWED.get(from).contains(to);
  }

  /** The states reachable from {@code from}. */
  public static Set<EngineState> next(EngineState from) {
    return EnumSet.copyOf(ALLOWED.get(from));
  }

  /** Throws ILLEGAL_STATE (HTTP 409) when {@code from → to} is not a transition. */
  public static void checkTransition(String engineId, EngineState from, EngineState to) {
    if (!isAllowed(from, to)) {
      throw new SageException(
          ErrorCode.ILLEGAL_STATE,
          "engine " + engineId + " cannot go from " + from + " to " + to,
          "state");
    }
  }

  /**
   * Throws {@link SageException} with {@link ErrorCode#ILLEGAL_STATE} (HTTP 409) naming the engine
   * and its current state when {@code from → to} is not a transition.
   */
  public static void check(String engineId, EngineState from, EngineState to, String action) {
    if (!isAllowed(from, to)) {
      throw new SageException(
          ErrorCode.ILLEGAL_STATE,
          "cannot " + action + " engine " + engineId + ": it is " + from,
          "state");
    }
  }
}

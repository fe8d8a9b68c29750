package io.sage.host.engine;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Where an engine stands in the state machine and what it is meant to do.
 *
 * @param state observed state
 * @param desired what reconciliation aims for
 * @param since when the current state began
 * @param restartCount automatic and manual restarts so far
 * @param lastError the reason of the last failure, or null
 * @param recentRestarts when the automatic restarts of the restart policy's current window were
 *     decided, oldest first: the budget survives a gateway restart
 */
public record Lifecycle(
    EngineState state,
    DesiredState desired,
    Instant since,
    int restartCount,
    String lastError,
    List<Instant> recentRestarts) {

  public Lifecycle {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(desired, "desired");
    Objects.requireNonNull(since, "since");
    recentRestarts = recentRestarts == null ? List.of() : List.copyOf(recentRestarts);
  }

  /** Without a restart history (none yet, or a store that keeps none). */
  public Lifecycle(
      EngineState state, DesiredState desired, Instant since, int restartCount, String lastError) {
    this(state, desired, since, restartCount, lastError, List.of());
  }

  /** A new engine: STARTING, meant to run. */
  public static Lifecycle starting(Instant at) {
    return new Lifecycle(EngineState.STARTING, DesiredState.RUNNING, at, 0, null);
  }

  Lifecycle enter(EngineState newState, Instant at) {
    return new Lifecycle(newState, desired, at, restartCount, lastError, recentRestarts);
  }

  Lifecycle desire(DesiredState newDesired) {
    return new Lifecycle(state, newDesired, since, restartCount, lastError, recentRestarts);
  }

  Lifecycle restarted() {
    return new Lifecycle(state, desired, since, restartCount + 1, lastError, recentRestarts);
  }

  Lifecycle failed(String error) {
    return new Lifecycle(state, desired, since, restartCount, error, recentRestarts);
  }

  Lifecycle restartsWithin(List<Instant> window) {
    return new Lifecycle(state, desired, since, restartCount, lastError, window);
  }
}

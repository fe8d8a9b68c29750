package io.sage.host.engine;

import java.time.Instant;
import java.util.Objects;

/**
 * Where an engine stands in the state machine and what it is meant to do.
 *
 * @param state observed state
 * @param desired what reconciliation aims for
 * @param since when the current state began
 * @param restartCount automatic and manual restarts so far
 * @param lastError the reason of the last failure, or null
 */
public record Lifecycle(
    EngineState state, DesiredState desired, Instant since, int restartCount, String lastError) {

  public Lifecycle {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(desired, "desired");
    Objects.requireNonNull(since, "since");
  }

  /** A new engine: STARTING, meant to run. */
  public static Lifecycle starting(Instant at) {
    return new Lifecycle(EngineState.STARTING, DesiredState.RUNNING, at, 0, null);
  }

  Lifecycle enter(EngineState newState, Instant at) {
    return new Lifecycle(newState, desired, at, restartCount, lastError);
  }

  Lifecycle desire(DesiredState newDesired) {
    return new Lifecycle(state, newDesired, since, restartCount, lastError);
  }

  Lifecycle restarted() {
    return new Lifecycle(state, desired, since, restartCount + 1, lastError);
  }

  Lifecycle failed(String error) {
    return new Lifecycle(state, desired, since, restartCount, error);
  }
}

package io.sage.host.engine;

import java.time.Instant;
import java.util.Objects;

/**
 * One committed state transition.
 *
 * @param id database id (0 before it is stored)
 * @param engineId the engine
 * @param from the state before, or null for the first event
 * @param to the state after
 * @param reason a sentence a person can act on
 * @param at when it happened
 */
public record EngineEvent(
    long id, String engineId, EngineState from, EngineState to, String reason, Instant at) {
  public EngineEvent {
    Objects.requireNonNull(engineId, "engineId");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(at, "at");
  }
}

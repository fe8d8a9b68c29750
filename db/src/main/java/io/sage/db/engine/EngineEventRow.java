package io.sage.db.engine;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineState;
import java.time.Instant;

/** One row of {@code engine_events}. */
@MappedEntity(value = "engine_events", escape = false)
record EngineEventRow(
    @Id @GeneratedValue @Nullable Long id,
    String engineId,
    @Nullable EngineState fromState,
    EngineState toState,
    String reason,
    Instant at) {

  static EngineEventRow of(EngineEvent event) {
    return new EngineEventRow(
        null, event.engineId(), event.from(), event.to(), event.reason(), event.at());
  }

  EngineEvent toEvent() {
    return new EngineEvent(id, engineId, fromState, toState, reason, at);
  }
}

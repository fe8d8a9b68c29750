package io.sage.db.engine;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** One row of {@code engine_events}. */
@MappedEntity("engine_events")
public record EngineEventRow(
    @Id @GeneratedValue @Nullable Long id,
    String engineId,
    @Nullable String fromState,
    String toState,
    String reason,
    Instant at) {}

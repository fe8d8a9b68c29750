package io.sage.db.models;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** One row of {@code model_loads}. */
@MappedEntity(value = "model_loads", escape = false)
record ModelLoadRow(
    @Id @GeneratedValue @Nullable Long id, String model, long durationMs, Instant loadedAt) {}

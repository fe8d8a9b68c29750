package io.sage.db.engine;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** One row of {@code engines}; the spec is kept whole as JSON beside a few columns for people and queries. */
@MappedEntity("engines")
public record EngineRow(
    @Id String id,
    String model,
    String servedModelName,
    String engineKind,
    String runtime,
    @Nullable String label,
    String specJson,
    String state,
    String desiredState,
    @Nullable String host,
    @Nullable Integer port,
    @Nullable String baseUrl,
    @Nullable Long pid,
    @Nullable Instant processStartTime,
    @Nullable String commandLine,
    String gpuIds,
    long gpuMemoryMib,
    @Nullable String engineApiKey,
    Instant createdAt,
    Instant updatedAt,
    Instant stateSince,
    @Nullable Instant lastHeartbeatAt,
    int consecutiveFailures,
    int restartCount,
    @Nullable String lastError) {}

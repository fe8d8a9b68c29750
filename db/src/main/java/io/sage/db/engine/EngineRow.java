package io.sage.db.engine;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineState;
import java.time.Instant;

/**
 * One row of {@code engines}: an {@link io.sage.host.engine.EngineRecord} with its spec as JSON and
 * a few spec fields copied into columns. {@link EngineRows} converts between the two.
 */
@MappedEntity(value = "engines", escape = false)
record EngineRow(
    @Id String id,
    String specJson,
    String model,
    String servedModelName,
    String engineKind,
    String runtime,
    @Nullable String label,
    EngineState state,
    DesiredState desiredState,
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
    @Nullable String lastError,
    String recentRestarts) {}

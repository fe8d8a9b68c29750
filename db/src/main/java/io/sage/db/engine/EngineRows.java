package io.sage.db.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sage.db.secret.SecretBox;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.Health;
import io.sage.host.engine.Lifecycle;
import io.sage.host.engine.Placement;
import io.sage.host.engine.ProcessIdentity;
import io.sage.spi.engine.EngineSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Converts between {@link EngineRecord} and {@link EngineRow}. The spec is stored as JSON written
 * by a private mapper, not the application's: the gateway may configure its JSON for the HTTP API
 * (naming strategy, inclusion), and that must never change what is already on disk. The engine's
 * key and its command line are stored encrypted ({@link SecretBox}).
 */
final class EngineRows {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private EngineRows() {}

  static EngineRow toRow(EngineRecord engine, SecretBox secrets) {
    EngineSpec spec = engine.spec();
    return new EngineRow(
        engine.id(),
        writeSpec(engine.id(), spec),
        spec.model(),
        spec.servedModelName(),
        spec.kind().wireName(),
        spec.runtime(),
        spec.label(),
        engine.state(),
        engine.desiredState(),
        engine.host(),
        engine.port(),
        engine.baseUrl(),
        engine.process().pidOrNull(),
        engine.process().startTime(),
        secrets.seal(engine.process().commandLine()),
        engine.gpuIds().stream().map(String::valueOf).collect(Collectors.joining(",")),
        engine.placement().gpuMemoryMib(),
        secrets.seal(engine.engineApiKey()),
        engine.createdAt(),
        engine.updatedAt(),
        engine.stateSince(),
        engine.health().lastHeartbeatAt(),
        engine.health().consecutiveFailures(),
        engine.restartCount(),
        engine.lastError(),
        engine.recentRestarts().stream()
            .map(at -> Long.toString(at.toEpochMilli()))
            .collect(Collectors.joining(",")));
  }

  static EngineRecord toRecord(EngineRow row, SecretBox secrets) {
    return new EngineRecord(
        row.id(),
        readSpec(row.id(), row.specJson()),
        secrets.open(row.engineApiKey()),
        new Lifecycle(
            row.state(),
            row.desiredState(),
            row.stateSince(),
            row.restartCount(),
            row.lastError(),
            parseInstants(row.id(), row.recentRestarts())),
        new Placement(
            row.host(),
            row.port(),
            row.baseUrl(),
            parseGpuIds(row.id(), row.gpuIds()),
            row.gpuMemoryMib()),
        ProcessIdentity.of(row.pid(), row.processStartTime(), secrets.open(row.commandLine())),
        new Health(row.lastHeartbeatAt(), row.consecutiveFailures()),
        row.createdAt(),
        row.updatedAt());
  }

  private static String writeSpec(String engineId, EngineSpec spec) {
    try {
      return JSON.writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("engine " + engineId + ": cannot write its spec as JSON", e);
    }
  }

  private static EngineSpec readSpec(String engineId, String json) {
    try {
      return JSON.readValue(json, EngineSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "engine "
              + engineId
              + ": stored spec_json is not a valid spec: "
              + e.getOriginalMessage(),
          e);
    }
  }

  private static List<Instant> parseInstants(String engineId, String millis) {
    if (millis == null || millis.isBlank()) {
      return List.of();
    }
    try {
      return Arrays.stream(millis.split(","))
          .map(String::trim)
          .map(m -> Instant.ofEpochMilli(Long.parseLong(m)))
          .toList();
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "engine "
              + engineId
              + ": stored recent_restarts '"
              + millis
              + "' is not a comma list of epoch milliseconds",
          e);
    }
  }

  private static List<Integer> parseGpuIds(String engineId, String gpuIds) {
    if (gpuIds == null || gpuIds.isBlank()) {
      return List.of();
    }
    try {
      return Arrays.stream(gpuIds.split(",")).map(String::trim).map(Integer::valueOf).toList();
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "engine "
              + engineId
              + ": stored gpu_ids '"
              + gpuIds
              + "' is not a comma list of integers",
          e);
    }
  }
}

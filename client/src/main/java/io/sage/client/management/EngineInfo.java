package io.sage.client.management;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.GatewayTransport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One engine as the gateway reports it ({@code EngineInfo}, docs/spec.md §5.2). Fields the gateway
 * left out are null; {@link #raw()} holds the JSON as sent.
 */
public record EngineInfo(
    String id,
    String model,
    String servedModelName,
    String engineKind,
    String runtime,
    EngineState state,
    String desiredState,
    String host,
    Integer port,
    String baseUrl,
    Long pid,
    List<Integer> gpuIds,
    Integer tensorParallelSize,
    String label,
    Map<String, Object> options,
    List<String> extraArgs,
    Instant createdAt,
    Instant updatedAt,
    Instant stateSince,
    Instant lastHeartbeatAt,
    int consecutiveFailures,
    int activeRequests,
    int restartCount,
    String lastError,
    JsonNode raw) {

  public EngineInfo {
    Objects.requireNonNull(id, "engine id");
    Objects.requireNonNull(state, "state of engine " + id);
    gpuIds = gpuIds == null ? List.of() : List.copyOf(gpuIds);
    options = options == null ? Map.of() : Map.copyOf(options);
    extraArgs = extraArgs == null ? List.of() : List.copyOf(extraArgs);
    Objects.requireNonNull(raw, "raw");
  }

  /**
   * The node (gateway) that runs and supervises the engine when several share one database
   * (docs/cluster.md); null from a gateway that does not say.
   */
  public String nodeId() {
    return JsonFields.text(raw, "node_id");
  }

  @SuppressWarnings("unchecked")
  public static EngineInfo fromJson(JsonNode json) {
    String id = JsonFields.text(json, "id");
    if (id == null) {
      throw new IllegalArgumentException("engine JSON has no id: " + json);
    }
    Map<String, Object> options =
        json.path("options").isObject()
            ? GatewayTransport.mapper().convertValue(json.get("options"), Map.class)
            : Map.of();
    options.values().removeIf(Objects::isNull);
    return new EngineInfo(
        id,
        JsonFields.text(json, "model"),
        JsonFields.text(json, "served_model_name"),
        JsonFields.text(json, "engine_kind"),
        JsonFields.text(json, "runtime"),
        EngineState.parse(JsonFields.text(json, "state")),
        JsonFields.text(json, "desired_state"),
        JsonFields.text(json, "host"),
        JsonFields.integer(json, "port"),
        JsonFields.text(json, "base_url"),
        JsonFields.longValue(json, "pid"),
        JsonFields.integers(json, "gpu_ids"),
        JsonFields.integer(json, "tensor_parallel_size"),
        JsonFields.text(json, "label"),
        options,
        JsonFields.texts(json, "extra_args"),
        JsonFields.instant(json, "created_at"),
        JsonFields.instant(json, "updated_at"),
        JsonFields.instant(json, "state_since"),
        JsonFields.instant(json, "last_heartbeat_at"),
        JsonFields.count(json, "consecutive_failures"),
        JsonFields.count(json, "active_requests"),
        JsonFields.count(json, "restart_count"),
        JsonFields.text(json, "last_error"),
        json);
  }

  public boolean isReady() {
    return state == EngineState.READY;
  }
}

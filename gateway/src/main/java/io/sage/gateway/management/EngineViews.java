package io.sage.gateway.management;

import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shapes of engines and events (docs/spec.md §5.2 EngineInfo); secrets never appear. */
final class EngineViews {
  private EngineViews() {}

  static Map<String, Object> info(EngineSnapshot entry, ControlPlane controlPlane) {
    EngineRecord r = entry.record();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", r.id());
    view.put("model", r.spec().model());
    view.put("served_model_name", r.spec().servedModelName());
    view.put("engine_kind", r.spec().kind().wireName());
    view.put("runtime", r.spec().runtime());
    view.put("node_id", entry.nodeId());
    view.put("state", r.state().name());
    view.put("desired_state", r.desiredState().name());
    view.put("host", r.host());
    view.put("port", r.port());
    view.put("base_url", r.baseUrl());
    view.put("pid", r.process().pidOrNull());
    view.put("gpu_ids", r.gpuIds());
    view.put("tensor_parallel_size", r.spec().tensorParallelSize());
    view.put("label", r.spec().label());
    view.put("options", controlPlane.maskedOptions(r));
    view.put("extra_args", r.spec().extraArgs());
    view.put("created_at", time(r.createdAt()));
    view.put("updated_at", time(r.updatedAt()));
    view.put("state_since", time(r.stateSince()));
    view.put("last_heartbeat_at", time(r.health().lastHeartbeatAt()));
    view.put("consecutive_failures", r.health().consecutiveFailures());
    view.put("active_requests", entry.inFlight());
    view.put("restart_count", r.restartCount());
    view.put("last_error", r.lastError());
    return view;
  }

  static Map<String, Object> event(EngineEvent e) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", e.id());
    view.put("engine_id", e.engineId());
    view.put("from", e.from() == null ? null : e.from().name());
    view.put("to", e.to().name());
    view.put("reason", e.reason());
    view.put("at", time(e.at()));
    return view;
  }

  static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}

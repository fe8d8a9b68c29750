package io.sage.gateway.management;

import io.micronaut.context.annotation.Value;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import io.sage.host.engine.EngineState;
import io.sage.host.plugin.PluginInfo;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read-only management views: status, plugins, backends, audit. */
@Controller("/v1/management")
@ExecuteOn(TaskExecutors.BLOCKING)
class StatusController {
  static final String VERSION = "0.1.0";
  private final ControlPlane controlPlane;
  private final GpuView gpus;
  private final String dataDir;

  StatusController(
      ControlPlane controlPlane, GpuView gpus, @Value("${sage.data-dir}") String dataDir) {
    this.controlPlane = controlPlane;
    this.gpus = gpus;
    this.dataDir = dataDir;
  }

  @Get("/status")
  Map<String, Object> status() {
    Map<String, Integer> byState = new LinkedHashMap<>();
    Map<EngineState, Integer> counts = new EnumMap<>(EngineState.class);
    for (EngineSnapshot entry : controlPlane.engines()) {
      counts.merge(entry.state(), 1, Integer::sum);
    }
    for (EngineState state : EngineState.values()) {
      byState.put(state.name(), counts.getOrDefault(state, 0));
    }
    List<Map<String, Object>> pluginViews = new ArrayList<>();
    for (PluginInfo info : controlPlane.plugins()) {
      pluginViews.add(plugin(info));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", VERSION);
    body.put("uptime_seconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
    body.put("pid", ProcessHandle.current().pid());
    body.put("engines", byState);
    body.put("engine_count", controlPlane.engines().size());
    body.put("runtimes", controlPlane.runtimeKinds());
    body.put("plugins", pluginViews);
    body.put("gpu_provider", gpus.providerSummary());
    body.put("schedulers", SchedulerViews.of(controlPlane.schedulers()));
    body.put("data_dir", dataDir);
    return body;
  }

  @Get("/plugins")
  Map<String, Object> plugins() {
    List<Map<String, Object>> views =
        controlPlane.plugins().stream().map(StatusController::plugin).toList();
    return Map.of("plugins", views, "count", views.size());
  }

  private static Map<String, Object> plugin(PluginInfo info) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", info.id());
    view.put("version", info.version());
    view.put("state", info.state());
    view.put("path", info.path());
    view.put("extensions", info.extensions());
    view.put("error", info.error());
    return view;
  }

  @Get("/backends")
  Map<String, Object> backends() {
    List<Map<String, Object>> llm = new ArrayList<>();
    List<Map<String, Object>> embedding = new ArrayList<>();
    int healthy = 0;
    for (EngineSnapshot entry : controlPlane.engines()) {
      if (!entry.state().isActive()) {
        continue;
      }
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("engine_id", entry.id());
      view.put("model", entry.record().spec().servedModelName());
      view.put("base_url", entry.record().baseUrl());
      view.put("state", entry.state().name());
      view.put("healthy", entry.state() == EngineState.READY);
      view.put("active_requests", entry.inFlight());
      view.put("runtime", entry.record().spec().runtime());
      healthy += entry.state() == EngineState.READY ? 1 : 0;
      (entry.record().spec().kind() == EngineKind.LLM ? llm : embedding).add(view);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("llm_backends", llm);
    body.put("embedding_backends", embedding);
    body.put("llm_count", llm.size());
    body.put("embedding_count", embedding.size());
    body.put("healthy_count", healthy);
    return body;
  }

  @Get("/audit")
  Map<String, Object> audit(
      @QueryValue(defaultValue = "") String actor,
      @QueryValue(defaultValue = "") String action,
      @QueryValue(defaultValue = "") String target,
      @QueryValue(defaultValue = "") String since,
      @QueryValue(defaultValue = "") String until,
      @QueryValue(defaultValue = "100") String limit,
      @QueryValue(defaultValue = "0") String offset) {
    int n = EngineController.boundedInt("limit", limit, 1, 1000);
    int skip = EngineController.boundedInt("offset", offset, 0, Integer.MAX_VALUE);
    AuditQuery query =
        new AuditQuery(
            blankToNull(actor),
            blankToNull(action),
            blankToNull(target),
            instant("since", since),
            instant("until", until),
            n,
            skip);
    List<Map<String, Object>> entries = new ArrayList<>();
    for (AuditEntry e : controlPlane.audit(query)) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("id", e.id());
      view.put("at", e.at().toString());
      view.put("actor", e.actor());
      view.put("action", e.action());
      view.put("target", e.target());
      view.put("outcome", e.outcome());
      view.put("detail", e.detail());
      entries.add(view);
    }
    return Map.of("entries", entries, "count", entries.size(), "limit", n, "offset", skip);
  }

  @Get("/gpu")
  Map<String, Object> gpu() {
    return gpus.view();
  }

  /** An ISO-8601 instant ({@code 2026-12-01T09:00:00Z}), or null when blank. */
  private static Instant instant(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw SageException.invalid(
          name,
          name + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, got '" + value + "'");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}

package io.sage.gateway.management;

import io.sage.host.engine.EngineEntry;
import io.sage.host.management.EngineManager;
import io.sage.host.plugin.PluginHost;
import io.sage.spi.SageException;
import io.sage.spi.gpu.GpuDevice;
import io.sage.spi.gpu.GpuProvider;
import io.sage.spi.gpu.GpuStatus;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The GPU view: the active provider (config {@code gpu.provider}, else the available one with the
 * lowest priority number, else none) and its devices with the engines placed on them.
 */
@Singleton
public class GpuView {
  private final PluginHost plugins;
  private final EngineManager manager;
  private final String configured;

  GpuView(PluginHost plugins, EngineManager manager, @Value("${gpu.provider:}") String configured) {
    this.plugins = plugins;
    this.manager = manager;
    this.configured = configured;
  }

  Optional<GpuProvider> active() {
    List<GpuProvider> providers = new ArrayList<>(plugins.gpuProviders());
    if (!configured.isBlank() && !"auto".equals(configured)) {
      return providers.stream().filter(p -> p.name().equals(configured)).findFirst();
    }
    providers.sort(Comparator.comparingInt(GpuProvider::priority));
    for (GpuProvider provider : providers) {
      if (safeStatus(provider).available()) {
        return Optional.of(provider);
      }
    }
    return Optional.empty();
  }

  Map<String, Object> providerSummary() {
    Map<String, Object> summary = new LinkedHashMap<>();
    Optional<GpuProvider> provider = active();
    summary.put("name", provider.map(GpuProvider::name).orElse("none"));
    summary.put("status", provider.map(p -> safeStatus(p).message()).orElse(noneMessage()));
    List<Map<String, Object>> others = new ArrayList<>();
    for (GpuProvider p : plugins.gpuProviders()) {
      GpuStatus status = safeStatus(p);
      others.add(Map.of("name", p.name(), "available", status.available(), "status", status.message()));
    }
    summary.put("providers", others);
    return summary;
  }

  private String noneMessage() {
    if (!configured.isBlank() && !"auto".equals(configured) && !"none".equals(configured)) {
      return "configured GPU provider '" + configured + "' is not loaded";
    }
    return "no GPU provider available";
  }

  /**
   * The provider and its GPUs as {@code GET /v1/management/gpu} shows them. Calls the provider,
   * which may block (NVML): never call it on the event loop.
   */
  public Map<String, Object> view() {
    Map<String, Object> body = new LinkedHashMap<>();
    Optional<GpuProvider> provider = active();
    body.put("provider", provider.map(GpuProvider::name).orElse("none"));
    List<Map<String, Object>> gpus = new ArrayList<>();
    if (provider.isEmpty()) {
      body.put("status", noneMessage());
      body.put("gpus", gpus);
      return body;
    }
    GpuStatus status = safeStatus(provider.get());
    body.put("status", status.message());
    if (status.available()) {
      try {
        for (GpuDevice device : provider.get().devices()) {
          gpus.add(device(device));
        }
      } catch (RuntimeException e) {
        body.put("status", e.getMessage());
      }
    }
    body.put("gpus", gpus);
    return body;
  }

  private Map<String, Object> device(GpuDevice d) {
    long reserved = 0;
    List<String> engines = new ArrayList<>();
    for (EngineEntry entry : manager.engines()) {
      if (entry.state().isActive() && entry.record().gpuIds().contains(d.index())) {
        reserved += entry.record().gpuMemoryMib();
        engines.add(entry.id());
      }
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("index", d.index());
    view.put("uuid", d.uuid());
    view.put("name", d.name());
    view.put("memory_total_mib", d.memoryTotalMib());
    view.put("memory_used_mib", d.memoryUsedMib());
    view.put("memory_free_mib", d.memoryFreeMib());
    view.put("memory_reserved_mib", reserved);
    view.put("utilization_pct", d.utilizationPct());
    view.put("temperature_c", d.temperatureC());
    view.put("power_w", d.powerWatts());
    view.put("engine_ids", engines);
    return view;
  }

  private static GpuStatus safeStatus(GpuProvider provider) {
    try {
      return provider.status();
    } catch (RuntimeException | LinkageError e) {
      return GpuStatus.unavailable(provider.name() + " failed: " + e);
    }
  }
}

package io.sage.gateway.management;

import io.sage.host.ControlPlane;
import io.sage.host.GpuOverview;
import io.sage.spi.gpu.GpuDevice;
import io.sage.spi.gpu.GpuProvider;
import io.sage.spi.gpu.GpuStatus;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The GPU view: the active provider (config {@code gpu.provider}, else the available one with the
 * lowest priority number, else none) and its devices with the memory reserved for engines and the
 * engines holding it.
 */
@Singleton
public class GpuView {
  private final GpuOverview gpus;

  GpuView(ControlPlane controlPlane) {
    this.gpus = controlPlane.gpus();
  }

  Map<String, Object> providerSummary() {
    Map<String, Object> summary = new LinkedHashMap<>();
    Optional<GpuProvider> provider = gpus.active();
    summary.put("name", provider.map(GpuProvider::name).orElse("none"));
    summary.put(
        "status", provider.map(p -> gpus.status(p).message()).orElse(gpus.unavailableReason()));
    List<Map<String, Object>> others = new ArrayList<>();
    for (GpuProvider p : gpus.providers()) {
      GpuStatus status = gpus.status(p);
      others.add(
          Map.of("name", p.name(), "available", status.available(), "status", status.message()));
    }
    summary.put("providers", others);
    return summary;
  }

  /**
   * The provider and its GPUs as {@code GET /v1/management/gpu} shows them. Calls the provider,
   * which may block (NVML): never call it on the event loop.
   */
  public Map<String, Object> view() {
    Map<String, Object> body = new LinkedHashMap<>();
    Optional<GpuProvider> provider = gpus.active();
    body.put("provider", provider.map(GpuProvider::name).orElse("none"));
    List<Map<String, Object>> devices = new ArrayList<>();
    if (provider.isEmpty()) {
      body.put("status", gpus.unavailableReason());
      body.put("gpus", devices);
      return body;
    }
    GpuStatus status = gpus.status(provider.get());
    body.put("status", status.message());
    if (status.available()) {
      try {
        Map<Integer, Long> reserved = gpus.reservedMib();
        Map<Integer, List<String>> engines = gpus.holders();
        for (GpuDevice device : provider.get().devices()) {
          devices.add(device(device, reserved, engines));
        }
      } catch (RuntimeException e) {
        body.put("status", e.getMessage());
      }
    }
    body.put("gpus", devices);
    return body;
  }

  private static Map<String, Object> device(
      GpuDevice d, Map<Integer, Long> reserved, Map<Integer, List<String>> engines) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("index", d.index());
    view.put("uuid", d.uuid());
    view.put("name", d.name());
    view.put("memory_total_mib", d.memoryTotalMib());
    view.put("memory_used_mib", d.memoryUsedMib());
    view.put("memory_free_mib", d.memoryFreeMib());
    view.put("memory_reserved_mib", reserved.getOrDefault(d.index(), 0L));
    view.put("utilization_pct", d.utilizationPct());
    view.put("temperature_c", d.temperatureC());
    view.put("power_w", d.powerWatts());
    view.put("engine_ids", engines.getOrDefault(d.index(), List.of()));
    return view;
  }
}

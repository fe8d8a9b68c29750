package io.sage.gateway.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.sage.gateway.config.MetricsConfig;
import io.sage.gateway.management.GpuView;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPU gauges from the active provider. Provider calls may block (NVML), so a dedicated thread
 * samples them every {@code sage.metrics.gpu-interval} and the gauges read the cached sample: a
 * scrape never waits on a driver.
 */
@Context
@Requires(property = MetricsFactory.ENABLED, notEquals = "false")
final class GpuMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GpuMetrics.class);
  private static final double MIB = 1024.0 * 1024.0;

  private final MeterRegistry meters;
  private final GpuView gpus;
  private final ScheduledExecutorService sampler;
  private final Map<Integer, Map<String, Object>> latest = new ConcurrentHashMap<>();
  private final Set<Integer> registered = ConcurrentHashMap.newKeySet();

  GpuMetrics(MeterRegistry meters, GpuView gpus, MetricsConfig config) {
    Duration interval = config.gpuInterval();
    this.meters = meters;
    this.gpus = gpus;
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "sage-gpu-metrics");
              thread.setDaemon(true);
              return thread;
            });
    sampler.scheduleWithFixedDelay(
        this::sample, 0, Math.max(1, interval.toMillis()), TimeUnit.MILLISECONDS);
  }

  @SuppressWarnings("unchecked")
  void sample() {
    try {
      Object list = gpus.view().get("gpus");
      if (!(list instanceof List<?> devices)) {
        return;
      }
      Set<Integer> seen = new java.util.HashSet<>();
      for (Object item : devices) {
        Map<String, Object> device = (Map<String, Object>) item;
        int index = ((Number) device.get("index")).intValue();
        seen.add(index);
        latest.put(index, device);
        if (registered.add(index)) {
          register(index, String.valueOf(device.get("name")));
        }
      }
      latest.keySet().retainAll(seen);
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("GPU metrics sample failed: {}", e.toString());
    }
  }

  private void register(int index, String name) {
    gauge(
        "sage.gpu.memory.total.bytes", "GPU memory in total", index, name, "memory_total_mib", MIB);
    gauge(
        "sage.gpu.memory.used.bytes",
        "GPU memory in use (all processes)",
        index,
        name,
        "memory_used_mib",
        MIB);
    gauge(
        "sage.gpu.memory.reserved.bytes",
        "GPU memory reserved by the gateway's placement for its engines",
        index,
        name,
        "memory_reserved_mib",
        MIB);
    gauge(
        "sage.gpu.utilization.ratio",
        "GPU utilization, 0 to 1",
        index,
        name,
        "utilization_pct",
        0.01);
  }

  private void gauge(
      String metric, String description, int index, String name, String field, double scale) {
    Gauge.builder(metric, latest, map -> value(map.get(index), field, scale))
        .description(description)
        .tags("gpu", Integer.toString(index), "name", name)
        .strongReference(true)
        .register(meters);
  }

  private static double value(Map<String, Object> device, String field, double scale) {
    if (device == null || !(device.get(field) instanceof Number number)) {
      return Double.NaN;
    }
    return number.doubleValue() * scale;
  }

  @PreDestroy
  @Override
  public void close() {
    sampler.shutdownNow();
  }
}

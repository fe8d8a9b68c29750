package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Prometheus metrics ({@code sage.metrics.*}, docs/operations.md).
 *
 * @param enabled {@code false} removes {@code /metrics} and every meter
 * @param tokens count prompt and completion tokens from the usage engines report
 * @param engineTimeout how long {@code /metrics} waits for each engine's own metrics
 * @param gpuInterval how often the GPU gauges are refreshed
 * @param auth {@code required} or {@code optional}: whether a scrape needs a metrics key; empty:
 *     optional on a loopback-bound gateway, required otherwise
 */
@ConfigurationProperties("sage.metrics")
public record MetricsConfig(
    @Bindable(defaultValue = "true") boolean enabled,
    @Bindable(defaultValue = "true") boolean tokens,
    @Bindable(defaultValue = "2s") Duration engineTimeout,
    @Bindable(defaultValue = "15s") Duration gpuInterval,
    @Bindable(defaultValue = "") String auth) {
  public MetricsConfig {
    auth = auth == null ? "" : auth.trim().toLowerCase(java.util.Locale.ROOT);
    if (!java.util.List.of("", "required", "optional").contains(auth)) {
      throw new IllegalArgumentException(
          "metrics.auth must be required or optional, got '" + auth + "'");
    }
    ConfigChecks.positive("metrics.engine-timeout", engineTimeout);
    ConfigChecks.positive("metrics.gpu-interval", gpuInterval);
  }
}

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
 */
@ConfigurationProperties("sage.metrics")
public record MetricsConfig(
    @Bindable(defaultValue = "true") boolean enabled,
    @Bindable(defaultValue = "true") boolean tokens,
    @Bindable(defaultValue = "2s") Duration engineTimeout,
    @Bindable(defaultValue = "15s") Duration gpuInterval) {
  public MetricsConfig {
    ConfigChecks.positive("metrics.engine-timeout", engineTimeout);
    ConfigChecks.positive("metrics.gpu-interval", gpuInterval);
  }
}

package io.sage.gateway.observability;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * The one meter registry of the gateway: a plain Micrometer {@link PrometheusMeterRegistry}
 * (decision 15). Absent when {@code sage.metrics.enabled=false}, and with it every meter.
 */
@Factory
@Requires(property = MetricsFactory.ENABLED, notEquals = "false")
class MetricsFactory {
  static final String ENABLED = "sage.metrics.enabled";

  @Singleton
  @Bean(preDestroy = "close")
  PrometheusMeterRegistry prometheusRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // libraries that bind themselves to any registry (the Hikari pool) stay out: one prefix,
    // documented names
    registry.config().meterFilter(MeterFilter.denyUnless(id -> id.getName().startsWith("sage.")));
    return registry;
  }
}

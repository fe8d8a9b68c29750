package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Health checks ({@code sage.health.*}, docs/state-machine.md).
 *
 * @param interval time between probes of a READY engine
 * @param startingInterval time between probes of a STARTING engine
 * @param timeout how long one probe may take
 * @param failureThreshold failed probes in a row that make a READY engine ERROR
 */
@ConfigurationProperties("sage.health")
public record HealthConfig(
    @Bindable(defaultValue = "5s") Duration interval,
    @Bindable(defaultValue = "250ms") Duration startingInterval,
    @Bindable(defaultValue = "2s") Duration timeout,
    @Bindable(defaultValue = "3") int failureThreshold) {
  public HealthConfig {
    ConfigChecks.positive("health.interval", interval);
    ConfigChecks.positive("health.starting-interval", startingInterval);
    ConfigChecks.positive("health.timeout", timeout);
    ConfigChecks.atLeast("health.failure-threshold", 1, failureThreshold);
  }
}

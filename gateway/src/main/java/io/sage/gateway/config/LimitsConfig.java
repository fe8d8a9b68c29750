package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/** Per-key limits ({@code sage.limits.*}, docs/security.md). */
@ConfigurationProperties("sage.limits")
public record LimitsConfig(@Bindable(defaultValue = "64") int maxConcurrentPerKey) {
  public LimitsConfig {
    ConfigChecks.atLeast("limits.max-concurrent-per-key", 1, maxConcurrentPerKey);
  }
}

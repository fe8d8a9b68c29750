package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/** Time between SIGTERM and SIGKILL when an engine stops ({@code sage.stop.*}). */
@ConfigurationProperties("sage.stop")
public record StopConfig(@Bindable(defaultValue = "10s") Duration gracePeriod) {
  public StopConfig {
    ConfigChecks.positive("stop.grace-period", gracePeriod);
  }
}

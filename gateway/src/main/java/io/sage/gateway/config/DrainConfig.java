package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/** How long DRAINING waits for in-flight requests ({@code sage.drain.*}). */
@ConfigurationProperties("sage.drain")
public record DrainConfig(@Bindable(defaultValue = "30s") Duration timeout) {
  public DrainConfig {
    ConfigChecks.positive("drain.timeout", timeout);
  }
}

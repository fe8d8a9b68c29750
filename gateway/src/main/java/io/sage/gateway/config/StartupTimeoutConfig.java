package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;
import java.util.Map;

/** How long an engine may stay STARTING, per runtime ({@code sage.startup-timeout.*}). */
@ConfigurationProperties("sage.startup-timeout")
public record StartupTimeoutConfig(
    @Bindable(defaultValue = "900s") Duration vllm,
    @Bindable(defaultValue = "120s") Duration embedding,
    @Bindable(defaultValue = "30s") Duration mock) {
  public StartupTimeoutConfig {
    ConfigChecks.positive("startup-timeout.vllm", vllm);
    ConfigChecks.positive("startup-timeout.embedding", embedding);
    ConfigChecks.positive("startup-timeout.mock", mock);
  }

  /** By runtime kind. */
  public Map<String, Duration> byRuntime() {
    return Map.of("vllm", vllm, "embedding", embedding, "mock", mock);
  }
}

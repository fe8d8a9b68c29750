package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * The GPU provider in charge ({@code gpu.provider}, env {@code GPU_PROVIDER}): a provider name
 * ({@code nvml}, {@code fake}, {@code none}), or empty to pick the available one by priority.
 */
@ConfigurationProperties("gpu")
public record GpuConfig(@Bindable(defaultValue = "") String provider) {
  public GpuConfig {
    provider = provider == null ? "" : provider.trim();
  }
}

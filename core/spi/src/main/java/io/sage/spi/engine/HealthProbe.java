package io.sage.spi.engine;

import java.util.Objects;

/**
 * How the host probes an engine. Probes never send generation requests.
 *
 * @param healthPath path answered with 200 when the engine is alive (e.g. {@code /health})
 * @param requireServedModel for llm engines: {@code GET /v1/models} must list the served name
 */
public record HealthProbe(String healthPath, boolean requireServedModel) {
  public HealthProbe {
    Objects.requireNonNull(healthPath, "healthPath");
    if (!healthPath.startsWith("/")) {
      throw new IllegalArgumentException("healthPath must start with '/'");
    }
  }

  /** {@code GET /health}, and {@code /v1/models} listing the served name for llm engines. */
  public static HealthProbe standard(EngineKind kind) {
    return new HealthProbe("/health", kind == EngineKind.LLM);
  }
}

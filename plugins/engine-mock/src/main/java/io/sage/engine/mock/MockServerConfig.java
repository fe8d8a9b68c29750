package io.sage.engine.mock;

import java.util.Objects;
import java.util.Optional;

/**
 * What one mock engine process serves.
 *
 * @param host address to bind
 * @param port port to bind (0 picks a free one)
 * @param model the served model name clients put in {@code model}
 * @param embedding whether the engine is an embedding engine (else llm)
 * @param options the runtime options
 * @param apiKey the bearer key required on {@code /v1/*}, when set
 */
record MockServerConfig(
    String host,
    int port,
    String model,
    boolean embedding,
    MockOptions options,
    Optional<String> apiKey) {

  MockServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(apiKey, "apiKey");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be within 0..65535, got " + port);
    }
    if (model.isBlank()) {
      throw new IllegalArgumentException("model must not be blank");
    }
    apiKey = apiKey.filter(key -> !key.isBlank());
  }

  String kindName() {
    return embedding ? "embedding" : "llm";
  }
}

package io.sage.gateway.config;

import io.micronaut.core.bind.annotation.Bindable;

/**
 * Where the gateway listens: section {@code server} of the config file, Micronaut's {@code
 * micronaut.server.host} and {@code .port}. {@code sage gateway start --host/--port} override it.
 */
public record ServerConfig(
    @Bindable(defaultValue = "127.0.0.1") String host, @Bindable(defaultValue = "8000") int port) {
  public ServerConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("server.host must not be empty");
    }
    ConfigChecks.port("server.port", port);
  }
}

package io.sage.gateway.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.util.List;

/**
 * Which names a request may call the gateway by ({@code sage.http.*}, see docs/security.md).
 *
 * @param allowedHosts extra names or addresses accepted in {@code Host} (and in {@code Origin});
 *     loopback names, the bind address and, on a wildcard bind, the machine's own addresses and
 *     name are always accepted; {@code *} accepts any name (behind a proxy that checks it)
 * @param allowedOrigins extra origins ({@code https://chat.example.com}) accepted in {@code
 *     Origin}, besides those whose host is an allowed host and those CORS is configured to allow
 */
@ConfigurationProperties("sage.http")
public record HostCheckConfig(
    @Nullable List<String> allowedHosts, @Nullable List<String> allowedOrigins) {
  public HostCheckConfig {
    allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
    allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
  }
}

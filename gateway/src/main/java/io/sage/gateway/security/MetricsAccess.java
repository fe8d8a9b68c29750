package io.sage.gateway.security;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import java.util.Locale;

/**
 * Whether {@code /metrics} and {@code /metrics/engines} need a key ({@code sage.metrics.auth}):
 * {@code required} asks every scrape for a metrics (or admin) key, {@code optional} lets keyless
 * scrapes in; unset, it is {@code optional} on a loopback-bound gateway and {@code required}
 * otherwise, like inference keys. A key that is sent is always checked, and one of another scope is
 * refused.
 */
@Context
final class MetricsAccess {
  private final boolean keyRequired;

  MetricsAccess(
      AuthSettings settings, @Value("${sage.metrics.auth:}") @Nullable String configured) {
    String mode = configured == null ? "" : configured.trim().toLowerCase(Locale.ROOT);
    this.keyRequired =
        switch (mode) {
          case "" -> !AuthSettings.isLoopback(settings.bindHost());
          case "required" -> true;
          case "optional" -> false;
          default ->
              throw new IllegalStateException(
                  "sage.metrics.auth must be 'required' or 'optional', got '" + configured + "'");
        };
  }

  boolean keyRequired() {
    return keyRequired;
  }
}

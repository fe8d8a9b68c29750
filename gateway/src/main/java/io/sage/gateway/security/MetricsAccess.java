package io.sage.gateway.security;

import io.micronaut.context.annotation.Context;
import io.sage.gateway.config.MetricsConfig;

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

  MetricsAccess(AuthSettings settings, MetricsConfig config) {
    this.keyRequired =
        switch (config.auth()) {
          case "required" -> true;
          case "optional" -> false;
          default -> !AuthSettings.isLoopback(settings.bindHost());
        };
  }

  boolean keyRequired() {
    return keyRequired;
  }
}

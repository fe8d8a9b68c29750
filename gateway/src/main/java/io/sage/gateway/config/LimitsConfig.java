package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Per-key and per-response limits ({@code sage.limits.*}, docs/security.md).
 *
 * @param maxConcurrentPerKey requests in flight at once for one API key (below the engine
 *     connection pool, {@code micronaut.http.client.pool.max-connections}, 4096)
 * @param stallTimeout a relayed response that makes no progress this long (the client stopped
 *     reading) is ended
 */
@ConfigurationProperties("sage.limits")
public record LimitsConfig(
    @Bindable(defaultValue = "2048") int maxConcurrentPerKey,
    @Bindable(defaultValue = "120s") Duration stallTimeout) {
  public LimitsConfig {
    ConfigChecks.atLeast("limits.max-concurrent-per-key", 1, maxConcurrentPerKey);
    ConfigChecks.positive("limits.stall-timeout", stallTimeout);
  }
}

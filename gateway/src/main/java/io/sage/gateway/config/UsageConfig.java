package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code sage.usage.*}: usage accounting (docs/usage.md).
 *
 * @param enabled record a row per finished inference request (and ask streams for their usage)
 * @param flushInterval how often the writer commits what arrived: the most a crash can lose
 * @param batchSize the most rows one transaction writes
 * @param queueCapacity rows that may wait for the writer; past it new rows are dropped and counted
 * @param retention how long raw rows are kept (roll-ups are kept)
 * @param pruneInterval how often raw rows past the retention are deleted
 */
@ConfigurationProperties("sage.usage")
public record UsageConfig(
    @Bindable(defaultValue = "true") boolean enabled,
    @Bindable(defaultValue = "1s") Duration flushInterval,
    @Bindable(defaultValue = "5000") int batchSize,
    @Bindable(defaultValue = "200000") int queueCapacity,
    @Bindable(defaultValue = "30d") Duration retention,
    @Bindable(defaultValue = "1h") Duration pruneInterval) {

  public UsageConfig {
    if (flushInterval.isNegative() || flushInterval.isZero() || flushInterval.toSeconds() > 60) {
      throw new IllegalArgumentException(
          "usage.flush-interval must be within 1ms..60s, got " + flushInterval);
    }
    if (batchSize < 1 || queueCapacity < batchSize) {
      throw new IllegalArgumentException(
          "usage.batch-size must be >= 1 and usage.queue-capacity >= batch-size, got "
              + batchSize
              + " and "
              + queueCapacity);
    }
    if (retention.toHours() < 1) {
      throw new IllegalArgumentException("usage.retention must be at least 1h, got " + retention);
    }
    if (pruneInterval.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "usage.prune-interval must be at least 1s, got " + pruneInterval);
    }
  }
}

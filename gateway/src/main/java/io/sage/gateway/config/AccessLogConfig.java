package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * The JSON access log {@code <data-dir>/logs/access.log} ({@code sage.access-log.*}).
 *
 * @param enabled {@code false} writes no access log
 * @param maxBytes size at which the file is rotated
 * @param queueSize lines waiting to be written before new ones are dropped (and counted)
 */
@ConfigurationProperties("sage.access-log")
public record AccessLogConfig(
    @Bindable(defaultValue = "true") boolean enabled,
    @Bindable(defaultValue = "104857600") long maxBytes,
    @Bindable(defaultValue = "16384") int queueSize) {
  public AccessLogConfig {
    ConfigChecks.atLeast("access-log.max-bytes", 1024, maxBytes);
    ConfigChecks.atLeast("access-log.queue-size", 1, queueSize);
  }
}

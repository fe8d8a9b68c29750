package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code sage.fair-share.*}: queueing per key while a model's engines are saturated.
 *
 * @param engineConcurrency requests the gateway sends one engine at a time; 0 turns queueing off
 *     (requests go to the engines as they come, which queue them first come first served)
 * @param queueTimeout how long a request may wait for an engine before it is answered 503
 * @param maxQueued requests that may wait per model; past it new ones are answered 429
 */
@ConfigurationProperties("sage.fair-share")
public record FairShareConfig(
    @Bindable(defaultValue = "0") int engineConcurrency,
    @Bindable(defaultValue = "60s") Duration queueTimeout,
    @Bindable(defaultValue = "10000") int maxQueued) {

  public FairShareConfig {
    ConfigChecks.atLeast("fair-share.engine-concurrency", 0, engineConcurrency);
    ConfigChecks.positive("fair-share.queue-timeout", queueTimeout);
    ConfigChecks.atLeast("fair-share.max-queued", 1, maxQueued);
  }
}

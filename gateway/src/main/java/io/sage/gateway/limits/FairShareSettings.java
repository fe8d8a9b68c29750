package io.sage.gateway.limits;

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
public record FairShareSettings(
    @Bindable(defaultValue = "0") int engineConcurrency,
    @Bindable(defaultValue = "60s") Duration queueTimeout,
    @Bindable(defaultValue = "10000") int maxQueued) {

  public FairShareSettings {
    if (engineConcurrency < 0) {
      throw new IllegalStateException(
          "sage.fair-share.engine-concurrency must be >= 0, got " + engineConcurrency);
    }
    if (queueTimeout.toMillis() < 1) {
      throw new IllegalStateException(
          "sage.fair-share.queue-timeout must be positive, got " + queueTimeout);
    }
    if (maxQueued < 1) {
      throw new IllegalStateException(
          "sage.fair-share.max-queued must be at least 1, got " + maxQueued);
    }
  }
}

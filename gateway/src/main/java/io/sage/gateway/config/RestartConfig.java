package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Automatic restarts of failed engines ({@code sage.restart.*}, docs/state-machine.md).
 *
 * @param backoffInitial the first delay, doubling after each restart
 * @param backoffMax the cap of the delay
 * @param maxRestarts restarts allowed within {@code window}, then the engine stays ERROR
 * @param window the window of {@code maxRestarts}
 */
@ConfigurationProperties("sage.restart")
public record RestartConfig(
    @Bindable(defaultValue = "1s") Duration backoffInitial,
    @Bindable(defaultValue = "60s") Duration backoffMax,
    @Bindable(defaultValue = "5") int maxRestarts,
    @Bindable(defaultValue = "10m") Duration window) {
  public RestartConfig {
    ConfigChecks.positive("restart.backoff-initial", backoffInitial);
    ConfigChecks.positive("restart.backoff-max", backoffMax);
    ConfigChecks.atLeast("restart.max-restarts", 0, maxRestarts);
    ConfigChecks.positive("restart.window", window);
    if (backoffMax.compareTo(backoffInitial) < 0) {
      throw new IllegalArgumentException(
          "restart.backoff-max (" + backoffMax + ") must not be below restart.backoff-initial");
    }
  }
}

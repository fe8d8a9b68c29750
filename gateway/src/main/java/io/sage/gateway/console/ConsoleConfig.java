package io.sage.gateway.console;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The web console ({@code sage.console.*}): whether {@code /ui} is served and how long a sign-in
 * lasts.
 *
 * @param enabled serve the console at {@code /ui} and accept console sign-ins
 * @param sessionIdleTimeout a console session unused this long ends
 * @param sessionMaxAge a console session ends this long after its sign-in, used or not
 * @param maxSessions at most this many console sessions at once; the oldest ends first
 */
@ConfigurationProperties("sage.console")
public record ConsoleConfig(
    @Bindable(defaultValue = "true") boolean enabled,
    @Bindable(defaultValue = "8h") Duration sessionIdleTimeout,
    @Bindable(defaultValue = "24h") Duration sessionMaxAge,
    @Bindable(defaultValue = "1000") int maxSessions) {
  public ConsoleConfig {
    if (sessionIdleTimeout.isNegative() || sessionIdleTimeout.isZero()) {
      throw new IllegalStateException("sage.console.session-idle-timeout must be positive");
    }
    if (sessionMaxAge.isNegative() || sessionMaxAge.isZero()) {
      throw new IllegalStateException("sage.console.session-max-age must be positive");
    }
    if (maxSessions < 1) {
      throw new IllegalStateException(
          "sage.console.max-sessions must be at least 1, got " + maxSessions);
    }
  }
}

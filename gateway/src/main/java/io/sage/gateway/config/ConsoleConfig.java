package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The web console ({@code sage.console.*}, docs/console.md): whether {@code /ui} is served and how
 * long a sign-in lasts.
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
    ConfigChecks.positive("console.session-idle-timeout", sessionIdleTimeout);
    ConfigChecks.positive("console.session-max-age", sessionMaxAge);
    ConfigChecks.atLeast("console.max-sessions", 1, maxSessions);
  }
}

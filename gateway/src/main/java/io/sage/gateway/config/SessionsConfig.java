package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/** Conversation sessions ({@code sage.sessions.*}, docs/sessions.md). */
@ConfigurationProperties("sage.sessions")
public record SessionsConfig(@Bindable(defaultValue = "50") int maxHistoryTurns) {
  public SessionsConfig {
    ConfigChecks.atLeast("sessions.max-history-turns", 0, maxHistoryTurns);
  }
}

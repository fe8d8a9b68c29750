package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * How much a conversation session may hold and replay ({@code sage.sessions.*}, docs/sessions.md).
 * Without the byte caps a few large turns stored once would make every later small request on the
 * session rebuild a huge upstream body.
 *
 * @param maxHistoryTurns stored messages put in front of a session chat
 * @param maxMessageBytes largest user message a session stores, in UTF-8 bytes (1 MiB); larger: 400
 *     payload_too_large, nothing stored
 * @param maxHistoryBytes most history bytes replayed into one request (4 MiB); the oldest messages
 *     beyond it are left out
 */
@ConfigurationProperties("sage.sessions")
public record SessionsConfig(
    @Bindable(defaultValue = "50") int maxHistoryTurns,
    @Bindable(defaultValue = "1048576") long maxMessageBytes,
    @Bindable(defaultValue = "4194304") long maxHistoryBytes) {
  public SessionsConfig {
    ConfigChecks.atLeast("sessions.max-history-turns", 0, maxHistoryTurns);
    ConfigChecks.atLeast("sessions.max-message-bytes", 1, maxMessageBytes);
    ConfigChecks.atLeast("sessions.max-history-bytes", 0, maxHistoryBytes);
  }
}

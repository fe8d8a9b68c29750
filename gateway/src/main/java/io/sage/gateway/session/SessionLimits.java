package io.sage.gateway.session;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * How much a session may hold and replay ({@code sage.sessions.*}, docs/sessions.md). Without these
 * a few large turns stored once would make every later small request on the session rebuild a huge
 * upstream body.
 *
 * @param maxHistoryTurns stored messages put in front of a session chat (default 50)
 * @param maxMessageBytes largest user message a session stores, in UTF-8 bytes (default 1 MiB);
 *     larger: 400 payload_too_large, nothing stored
 * @param maxHistoryBytes most history bytes replayed into one request (default 4 MiB); the oldest
 *     messages beyond it are left out
 */
@ConfigurationProperties("sage.sessions")
public record SessionLimits(
    @Nullable Integer maxHistoryTurns,
    @Nullable Long maxMessageBytes,
    @Nullable Long maxHistoryBytes) {
  public static final int DEFAULT_HISTORY_TURNS = 50;
  public static final long DEFAULT_MESSAGE_BYTES = 1024L * 1024;
  public static final long DEFAULT_HISTORY_BYTES = 4L * 1024 * 1024;

  public SessionLimits {
    maxHistoryTurns = maxHistoryTurns == null ? DEFAULT_HISTORY_TURNS : maxHistoryTurns;
    maxMessageBytes = maxMessageBytes == null ? DEFAULT_MESSAGE_BYTES : maxMessageBytes;
    maxHistoryBytes = maxHistoryBytes == null ? DEFAULT_HISTORY_BYTES : maxHistoryBytes;
    if (maxHistoryTurns < 0) {
      throw new IllegalStateException(
          "sage.sessions.max-history-turns must not be negative, got " + maxHistoryTurns);
    }
    if (maxMessageBytes < 1 || maxHistoryBytes < 0) {
      throw new IllegalStateException(
          "sage.sessions.max-message-bytes must be positive and max-history-bytes not negative");
    }
  }
}

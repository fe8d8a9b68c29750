package io.sage.host.session;

import java.time.Instant;
import java.util.Objects;

/**
 * A conversation session as stored.
 *
 * @param title null until given or derived from the first user message
 * @param ownerKeyId the API key that created it ({@code anonymous} while no keys exist)
 * @param messageCount stored messages, failed user turns included
 */
public record Session(
    String id,
    String title,
    String ownerKeyId,
    Instant createdAt,
    Instant lastActiveAt,
    long messageCount) {
  public Session {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ownerKeyId, "ownerKeyId");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(lastActiveAt, "lastActiveAt");
    if (messageCount < 0) {
      throw new IllegalArgumentException("messageCount must not be negative: " + messageCount);
    }
  }
}

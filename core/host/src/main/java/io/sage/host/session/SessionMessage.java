package io.sage.host.session;

import java.time.Instant;
import java.util.Objects;

/**
 * One message of a session.
 *
 * @param seq its place in the conversation (unique per session, gaps allowed)
 * @param content the text, or the JSON text of structured content; see {@code metadata}
 * @param metadata JSON object text or null, e.g. {@code {"status":"failed","reason":"..."}}
 */
public record SessionMessage(
    long seq,
    String role,
    String content,
    MessageStatus status,
    String metadata,
    Instant createdAt) {
  public SessionMessage {
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be positive: " + seq);
    }
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    if (role.isBlank() || role.length() > 32) {
      throw new IllegalArgumentException("role must be 1 to 32 characters: '" + role + "'");
    }
  }
}

package io.sage.db.session;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.sage.host.session.MessageStatus;
import io.sage.host.session.SessionMessage;
import java.time.Instant;

/** One row of {@code session_messages}. */
@MappedEntity(value = "session_messages", escape = false)
record SessionMessageRow(
    @Id @GeneratedValue @Nullable Long id,
    String sessionId,
    long seq,
    String role,
    String content,
    String status,
    @Nullable String metadata,
    Instant createdAt) {

  static SessionMessageRow of(String sessionId, SessionMessage message) {
    return new SessionMessageRow(
        null,
        sessionId,
        message.seq(),
        message.role(),
        message.content(),
        message.status().wireName(),
        message.metadata(),
        message.createdAt());
  }

  SessionMessage toMessage() {
    return new SessionMessage(seq, role, content, MessageStatus.of(status), metadata, createdAt);
  }
}

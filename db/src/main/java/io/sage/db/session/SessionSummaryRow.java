package io.sage.db.session;

import io.micronaut.core.annotation.Introspected;
import io.micronaut.core.annotation.Nullable;
import io.sage.host.session.Session;
import java.time.Instant;

/** A session with its message count, read by one query. */
@Introspected
record SessionSummaryRow(
    String id,
    @Nullable String title,
    String ownerKeyId,
    Instant createdAt,
    Instant lastActiveAt,
    long messageCount) {

  Session toSession() {
    return new Session(id, title, ownerKeyId, createdAt, lastActiveAt, messageCount);
  }
}

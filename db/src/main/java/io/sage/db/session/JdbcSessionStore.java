package io.sage.db.session;

import io.micronaut.core.annotation.Nullable;
import io.sage.db.DurableWrites;
import io.sage.host.session.Session;
import io.sage.host.session.SessionMessage;
import io.sage.host.store.SessionStore;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Conversation sessions and their messages on H2. Every write has reached the database file when it
 * returns (see {@link DurableWrites}). Messages are ordered by the seq the caller gives them; this
 * store does not assign seqs, so the caller decides the order of concurrent requests.
 */
@Singleton
public class JdbcSessionStore implements SessionStore {
  private final SessionRowRepository sessions;
  private final SessionMessageRowRepository messages;
  private final DurableWrites writes;

  JdbcSessionStore(
      SessionRowRepository sessions, SessionMessageRowRepository messages, DurableWrites writes) {
    this.sessions = sessions;
    this.messages = messages;
    this.writes = writes;
  }

  /** Creates an empty session; the id must be new. */
  @Override
  public Session create(String id, @Nullable String title, String ownerKeyId, Instant now) {
    SessionRow row =
        new SessionRow(
            Objects.requireNonNull(id, "id"),
            title,
            Objects.requireNonNull(ownerKeyId, "ownerKeyId"),
            now,
            now);
    writes.write(
        () -> {
          if (sessions.findById(id).isPresent()) {
            throw new SageException(ErrorCode.ILLEGAL_STATE, "session " + id + " already exists");
          }
          sessions.save(row);
        });
    return new Session(id, title, ownerKeyId, now, now, 0);
  }

  @Override
  public Optional<Session> find(String id) {
    return sessions.findSummary(Objects.requireNonNull(id, "id")).map(SessionSummaryRow::toSession);
  }

  /** Sessions by latest activity, newest first; {@code owner} null lists everyone's. */
  @Override
  public List<Session> list(@Nullable String owner) {
    return sessions.findSummaries(owner).stream().map(SessionSummaryRow::toSession).toList();
  }

  /** Every stored message of the session in conversation order (by seq). */
  @Override
  public List<SessionMessage> messages(String id) {
    return messages.findInOrder(Objects.requireNonNull(id, "id")).stream()
        .map(SessionMessageRow::toMessage)
        .toList();
  }

  /**
   * The last {@code limit} messages with status ok, oldest first: what is replayed to an engine.
   */
  @Override
  public List<SessionMessage> history(String id, int limit) {
    if (limit <= 0) {
      return List.of();
    }
    List<SessionMessage> newestFirst =
        new ArrayList<>(
            messages.findLastOk(id, limit).stream().map(SessionMessageRow::toMessage).toList());
    Collections.reverse(newestFirst);
    return newestFirst;
  }

  /** The highest seq stored for the session, 0 when it has no messages. */
  @Override
  public long maxSeq(String id) {
    return messages.maxSeq(Objects.requireNonNull(id, "id"));
  }

  /**
   * Stores messages in one transaction, marks the session active at {@code now} and gives it {@code
   * titleIfUntitled} when it has no title yet.
   *
   * @throws SageException NOT_FOUND when the session no longer exists (deleted meanwhile)
   */
  @Override
  public void append(
      String id, List<SessionMessage> added, Instant now, @Nullable String titleIfUntitled) {
    List<SessionMessage> copy = List.copyOf(added);
    writes.write(
        () -> {
          if (sessions.touch(id, now, titleIfUntitled) == 0) {
            throw notFound(id);
          }
          for (SessionMessage message : copy) {
            messages.save(SessionMessageRow.of(id, message));
          }
        });
  }

  /** Sets the title and marks the session active. */
  @Override
  public void rename(String id, String title, Instant now) {
    Objects.requireNonNull(title, "title");
    writes.write(
        () -> {
          if (sessions.rename(id, title, now) == 0) {
            throw notFound(id);
          }
        });
  }

  /** Deletes every message, keeps the session; returns how many were deleted. */
  @Override
  public long clear(String id, Instant now) {
    return writes.write(
        () -> {
          if (sessions.touch(id, now, null) == 0) {
            throw notFound(id);
          }
          return messages.deleteBySession(id);
        });
  }

  /** Deletes the session and its messages. */
  @Override
  public void delete(String id) {
    writes.write(
        () -> {
          if (sessions.findById(id).isEmpty()) {
            throw notFound(id);
          }
          sessions.deleteById(id);
        });
  }

  /**
   * Deletes the sessions (of {@code owner}, or everyone's when null) whose last activity is before
   * {@code cutoff}; returns their ids.
   */
  @Override
  public List<String> deleteIdle(Instant cutoff, @Nullable String owner) {
    return writes.write(
        () -> {
          List<String> ids = sessions.findIdleIds(cutoff, owner);
          for (String id : ids) {
            sessions.deleteById(id);
          }
          return ids;
        });
  }

  private static SageException notFound(String id) {
    return new SageException(
        ErrorCode.NOT_FOUND, "session " + id + " does not exist", "session_id");
  }
}

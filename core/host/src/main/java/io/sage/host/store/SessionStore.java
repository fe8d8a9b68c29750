package io.sage.host.store;

import io.sage.host.session.Session;
import io.sage.host.session.SessionMessage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Conversation sessions and their messages: the persistence port the gateway's session routes use,
 * implemented by the {@code db} module. Every write has reached the database when it returns.
 * Messages are ordered by the seq the caller gives them; the store does not assign seqs, so the
 * caller decides the order of concurrent requests. Methods may block; callers keep them off the
 * event loop. A missing session is a {@code SageException} with {@code NOT_FOUND}.
 */
public interface SessionStore {

  /** Creates an empty session; the id must be new. {@code title} may be null. */
  Session create(String id, String title, String ownerKeyId, Instant now);

  Optional<Session> find(String id);

  /** Sessions by latest activity, newest first; {@code owner} null lists everyone's. */
  List<Session> list(String owner);

  /** Every stored message of the session in conversation order (by seq). */
  List<SessionMessage> messages(String id);

  /**
   * The last {@code limit} messages with status ok, oldest first: what is replayed to an engine.
   */
  List<SessionMessage> history(String id, int limit);

  /** The highest seq stored for the session, 0 when it has no messages. */
  long maxSeq(String id);

  /**
   * Stores messages in one transaction, marks the session active at {@code now} and gives it {@code
   * titleIfUntitled} (may be null) when it has no title yet.
   */
  void append(String id, List<SessionMessage> added, Instant now, String titleIfUntitled);

  /** Sets the title and marks the session active. */
  void rename(String id, String title, Instant now);

  /** Deletes every message, keeps the session; returns how many were deleted. */
  long clear(String id, Instant now);

  /** Deletes the session and its messages. */
  void delete(String id);

  /**
   * Deletes the sessions (of {@code owner}, or everyone's when null) whose last activity is before
   * {@code cutoff}; returns their ids.
   */
  List<String> deleteIdle(Instant cutoff, String owner);
}

package io.sage.gateway.session;

import io.sage.host.session.Session;
import io.sage.host.session.SessionMessage;
import io.sage.host.store.SessionStore;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The session routes' operations, with the visibility rule applied: a session the caller may not
 * see answers exactly like a missing one (404), so ids of others' sessions leak nothing.
 */
@Singleton
final class SessionService {
  /** 100 years: a larger age is surely a mistake, and would overflow the cutoff time. */
  static final long MAX_AGE_MINUTES = 100L * 366 * 24 * 60;

  private final SessionStore store;
  private final SessionSequencer sequencer;

  SessionService(SessionStore store, SessionSequencer sequencer) {
    this.store = store;
    this.sequencer = sequencer;
  }

  Session create(SessionCaller caller, String title) {
    String id = "sess-" + UUID.randomUUID().toString().replace("-", "");
    return store.create(
        id, title == null ? null : SessionTitles.validate(title), caller.keyId(), Instant.now());
  }

  List<Session> list(SessionCaller caller) {
    return store.list(caller.ownerFilter());
  }

  Session get(SessionCaller caller, String id) {
    return store.find(id).filter(caller::sees).orElseThrow(() -> notFound(id));
  }

  List<SessionMessage> messages(SessionCaller caller, String id) {
    get(caller, id);
    return store.messages(id);
  }

  Session rename(SessionCaller caller, String id, String title) {
    String valid = SessionTitles.validate(title);
    get(caller, id);
    store.rename(id, valid, Instant.now());
    return get(caller, id);
  }

  long clear(SessionCaller caller, String id) {
    get(caller, id);
    return store.clear(id, Instant.now());
  }

  void delete(SessionCaller caller, String id) {
    get(caller, id);
    store.delete(id);
    sequencer.forget(id);
  }

  /**
   * Deletes the caller's sessions (an admin: everyone's) idle for more than {@code maxAgeMinutes}.
   */
  List<String> cleanup(SessionCaller caller, long maxAgeMinutes) {
    if (maxAgeMinutes < 1 || maxAgeMinutes > MAX_AGE_MINUTES) {
      throw SageException.invalid(
          "max_age_minutes",
          "'max_age_minutes' must be a whole number from 1 to "
              + MAX_AGE_MINUTES
              + "; got "
              + maxAgeMinutes);
    }
    List<String> deleted =
        store.deleteIdle(
            Instant.now().minus(Duration.ofMinutes(maxAgeMinutes)), caller.ownerFilter());
    deleted.forEach(sequencer::forget);
    return deleted;
  }

  static SageException notFound(String id) {
    return new SageException(
        ErrorCode.NOT_FOUND,
        "session '" + id + "' does not exist; POST /v1/sessions creates one",
        "session_id");
  }
}

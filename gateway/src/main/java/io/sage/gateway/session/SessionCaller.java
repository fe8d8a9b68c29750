package io.sage.gateway.session;

import io.micronaut.http.HttpRequest;
import io.sage.gateway.security.Actors;
import io.sage.host.session.Session;
import java.util.Objects;

/**
 * Who asks for a session, and what they may see: a session belongs to the key that created it; an
 * admin key sees every session. While no keys exist every caller is {@code anonymous} and owns
 * every session. The authentication filter marks the key's scope with the request attribute {@link
 * Actors#SCOPE} (next to {@link Actors#KEY_ID}).
 */
record SessionCaller(String keyId, boolean admin) {
  SessionCaller {
    Objects.requireNonNull(keyId, "keyId");
  }

  static SessionCaller of(HttpRequest<?> request) {
    return new SessionCaller(Actors.of(request), Actors.isAdmin(request));
  }

  boolean sees(Session session) {
    return admin || keyId.equals(session.ownerKeyId());
  }

  /** The owner filter for listings: null (everyone's) for an admin. */
  String ownerFilter() {
    return admin ? null : keyId;
  }
}

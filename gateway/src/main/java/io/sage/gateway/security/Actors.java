package io.sage.gateway.security;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.context.ServerRequestContext;
import java.util.Optional;

/**
 * Who is acting: the id of the API key that authenticated the current request (set by the
 * authentication filter as the request attribute {@link #KEY_ID}), else {@code anonymous}.
 */
public final class Actors {
  /** Request attribute holding the authenticated key's id. */
  public static final String KEY_ID = "sage.key.id";

  public static final String ANONYMOUS = "anonymous";

  /**
   * Request attribute holding the authenticated key's scope ({@code admin} or {@code inference}).
   */
  public static final String SCOPE = "sage.key.scope";

  private Actors() {}

  /** The actor of the request being handled on this thread. */
  public static String current() {
    Optional<HttpRequest<Object>> request = ServerRequestContext.currentRequest();
    return request.map(Actors::of).orElse(ANONYMOUS);
  }

  /** Whether the request was made with an admin key. */
  public static boolean isAdmin(HttpRequest<?> request) {
    return request.getAttribute(SCOPE, String.class).map("admin"::equals).orElse(false);
  }

  public static String of(HttpRequest<?> request) {
    return request.getAttribute(KEY_ID, String.class).orElse(ANONYMOUS);
  }
}

package io.sage.gateway.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.sage.db.security.StoredApiKey;
import io.sage.gateway.errors.OpenAiError;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates every request by its {@code Authorization: Bearer} (or {@code x-api-key}) key and
 * enforces the key's scope on the route (see {@link RouteAccess}): 401 without a usable key, 403
 * with a key of the wrong scope. Sets {@link Actors#KEY_ID} for the audit log and, for
 * model-limited keys, {@link #ALLOWED_MODELS}, which the proxy checks once it has read the model.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class AuthenticationFilter implements Ordered {
  /** Request attribute: the {@code Set<String>} of models a limited key may use. */
  static final String ALLOWED_MODELS = "sage.key.models";

  /** Request attribute: the key's scope. */
  static final String SCOPE = Actors.SCOPE;

  private final ApiKeys keys;
  private final AuthSettings settings;
  private final ConsoleSessions console;

  AuthenticationFilter(ApiKeys keys, AuthSettings settings, ConsoleSessions console) {
    this.keys = keys;
    this.settings = settings;
    this.console = console;
  }

  @Override
  public int getOrder() {
    return ServerFilterPhase.SECURITY.order();
  }

  @RequestFilter
  @Nullable
  HttpResponse<?> authenticate(HttpRequest<?> request) {
    // a CORS preflight carries no credentials: with CORS on, the CORS filter answers it (the
    // origin already passed HostCheckFilter); any other OPTIONS needs a key like its route, so
    // 405-versus-404 answers cannot list the routes
    if (request.getMethod() == HttpMethod.OPTIONS
        && settings.corsEnabled()
        && request.getHeaders().contains("Origin")
        && request.getHeaders().contains("Access-Control-Request-Method")) {
      return null;
    }
    RouteAccess access = RouteAccess.of(request.getPath());
    if (access == RouteAccess.OPEN) {
      return null;
    }
    String presented = presentedKey(request);
    if (presented == null) {
      Optional<ConsoleSessions.Resolved> session = console.resolve(request);
      if (session.isPresent()) {
        return admitConsole(request, access, session.get());
      }
      if (access == RouteAccess.INFERENCE && !settings.inferenceKeyRequired()) {
        return null;
      }
      return unauthorized(
          access == RouteAccess.ADMIN
              ? "this route needs an admin API key: send 'Authorization: Bearer sk-sage-...'"
              : "this route needs an API key: send 'Authorization: Bearer sk-sage-...'");
    }
    Optional<StoredApiKey> key = keys.authenticate(presented);
    if (key.isEmpty()) {
      return unauthorized("invalid API key: unknown or revoked");
    }
    return admit(request, access, key.get());
  }

  /**
   * A console request (session cookie): its key's scope, and its CSRF token when it changes state.
   */
  @Nullable
  private HttpResponse<?> admitConsole(
      HttpRequest<?> request, RouteAccess access, ConsoleSessions.Resolved session) {
    if (!ConsoleSessions.safe(request.getMethod()) && !session.csrfMatches(request)) {
      return OpenAiError.response(
          403,
          "missing or wrong CSRF token: console requests that change something send the "
              + ConsoleSessions.CSRF_HEADER
              + " header they got at sign-in",
          "permission_error",
          "csrf_token_invalid");
    }
    return admit(request, access, session.key());
  }

  @Nullable
  private static HttpResponse<?> admit(HttpRequest<?> request, RouteAccess access, StoredApiKey k) {
    if (access == RouteAccess.ADMIN && !ApiKeys.ADMIN.equals(k.scope())) {
      return OpenAiError.response(
          403,
          "API key " + k.id() + " has scope '" + k.scope() + "'; this route needs an admin key",
          "permission_error",
          "insufficient_scope");
    }
    request.setAttribute(Actors.KEY_ID, k.id());
    request.setAttribute(SCOPE, k.scope());
    if (!k.models().isEmpty()) {
      request.setAttribute(ALLOWED_MODELS, Set.copyOf(k.models()));
    }
    return null;
  }

  /**
   * The key the request presents; null when none, "" when it presents credentials that are no key.
   */
  private static String presentedKey(HttpRequest<?> request) {
    String authorization = request.getHeaders().get("Authorization");
    if (authorization != null && !authorization.isBlank()) {
      String trimmed = authorization.trim();
      String lower = trimmed.toLowerCase(Locale.ROOT);
      if (lower.startsWith("bearer ")) {
        String token = trimmed.substring(7).trim();
        return token.isEmpty() ? null : token;
      }
      if (!lower.equals("bearer")) {
        // another scheme (Basic, ...) is not a key: refused rather than ignored
        return "";
      }
    }
    String apiKey = request.getHeaders().get("x-api-key");
    return apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
  }

  private static MutableHttpResponse<?> unauthorized(String message) {
    return OpenAiError.response(401, message, "invalid_request_error", "invalid_api_key")
        .header("WWW-Authenticate", "Bearer realm=\"sage\"");
  }
}

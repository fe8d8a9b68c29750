package io.sage.gateway.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.sage.db.security.StoredApiKey;
import io.sage.gateway.console.ConsoleConfig;
import io.sage.gateway.errors.OpenAiError;
import io.sage.gateway.json.JsonBody;
import io.sage.host.ControlPlane;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /v1/console/session}: the console's sign-in (POST an API key, get a session cookie), who
 * is signed in (GET, with the CSRF token) and sign-out (DELETE). An open route: it checks the key
 * it is given itself. Sign-in must come as JSON with the {@code x-sage-console} header, which a
 * cross-site form cannot send, so no other site can sign a browser in with its own key.
 */
@Controller("/v1/console/session")
@ExecuteOn(TaskExecutors.BLOCKING)
class ConsoleSessionController {
  static final String CONSOLE_HEADER = "x-sage-console";
  private final ConsoleSessions sessions;
  private final ConsoleConfig config;
  private final ControlPlane manager;

  ConsoleSessionController(ConsoleSessions sessions, ConsoleConfig config, ControlPlane manager) {
    this.sessions = sessions;
    this.config = config;
    this.manager = manager;
  }

  @Post(consumes = MediaType.ALL)
  HttpResponse<?> signIn(HttpRequest<?> request, @Body @Nullable byte[] raw) {
    if (!config.enabled()) {
      return disabled();
    }
    if (request.getHeaders().get(CONSOLE_HEADER) == null) {
      return OpenAiError.response(
          400,
          "console sign-in needs the " + CONSOLE_HEADER + " header",
          "invalid_request_error",
          "console_header_missing");
    }
    JsonBody body = JsonBody.parse(raw, false);
    String key = body.string("key");
    body.throwIfInvalid();
    Optional<ConsoleSessions.SignIn> signIn =
        key == null ? Optional.empty() : sessions.signIn(key.trim());
    if (signIn.isEmpty()) {
      manager.audit(Actors.ANONYMOUS, "console.sign_in", null, "error", "unknown or revoked key");
      return OpenAiError.response(
          401, "invalid API key: unknown or revoked", "invalid_request_error", "invalid_api_key");
    }
    ConsoleSessions.Resolved who =
        new ConsoleSessions.Resolved(
            signIn.get().session(), sessions.keyOf(signIn.get().session()).orElseThrow());
    manager.audit(who.key().id(), "console.sign_in", who.key().id(), "ok", who.key().scope());
    return HttpResponse.ok(view(who))
        .cookie(sessions.cookie(signIn.get().token(), secure(request)));
  }

  @Get
  HttpResponse<?> whoAmI(HttpRequest<?> request) {
    return sessions
        .resolve(request)
        .<HttpResponse<?>>map(who -> HttpResponse.ok(view(who)))
        .orElseGet(ConsoleSessionController::signedOut);
  }

  @Delete
  HttpResponse<?> signOut(HttpRequest<?> request) {
    Optional<ConsoleSessions.Resolved> who = sessions.resolve(request);
    if (who.isEmpty()) {
      return HttpResponse.noContent().cookie(sessions.clearedCookie(secure(request)));
    }
    if (!who.get().csrfMatches(request)) {
      return OpenAiError.response(
          403,
          "missing or wrong CSRF token: send the " + ConsoleSessions.CSRF_HEADER + " header",
          "permission_error",
          "csrf_token_invalid");
    }
    sessions.end(who.get().session());
    String keyId = who.get().key().id();
    manager.audit(keyId, "console.sign_out", keyId, "ok", null);
    return HttpResponse.noContent().cookie(sessions.clearedCookie(secure(request)));
  }

  private Map<String, Object> view(ConsoleSessions.Resolved who) {
    StoredApiKey key = who.key();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("key_id", key.id());
    view.put("key_name", key.name());
    view.put("scope", key.scope());
    view.put("models", key.models());
    view.put("csrf_token", who.session().csrfToken());
    view.put("expires_at", sessions.expiresAt(who.session()).toString());
    return view;
  }

  private static MutableHttpResponse<?> signedOut() {
    return OpenAiError.response(
        401, "not signed in to the console", "invalid_request_error", "not_signed_in");
  }

  private static MutableHttpResponse<?> disabled() {
    return OpenAiError.response(
        404,
        "the console is disabled (sage.console.enabled=false)",
        "not_found_error",
        "not_found");
  }

  /** Cookies are marked Secure when the browser came over TLS (directly or via a proxy). */
  private static boolean secure(HttpRequest<?> request) {
    return request.isSecure()
        || "https".equalsIgnoreCase(request.getHeaders().get("X-Forwarded-Proto"));
  }
}

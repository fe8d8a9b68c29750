package io.sage.gateway.security;

import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.sage.db.security.StoredApiKey;
import io.sage.gateway.console.ConsoleConfig;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Console sign-ins: an API key exchanged for a random session token held in an HttpOnly,
 * SameSite=Strict cookie, so the key never sits in the browser. Sessions live in memory (a gateway
 * restart signs everyone out) and remember the key's hash, never the key: a revoked key ends its
 * sessions at their next request. Each session has a CSRF token that state-changing requests must
 * echo in {@link #CSRF_HEADER}.
 */
@Singleton
public final class ConsoleSessions {
  public static final String COOKIE = "sage_console";
  public static final String CSRF_HEADER = "x-csrf-token";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ApiKeys keys;
  private final ConsoleConfig config;
  private final Clock clock;
  private final Map<String, Session> byTokenHash = new ConcurrentHashMap<>();

  ConsoleSessions(ApiKeys keys, ConsoleConfig config, Clock clock) {
    this.keys = keys;
    this.config = config;
    this.clock = clock;
  }

  /** One signed-in browser. */
  public static final class Session {
    private final String tokenHash;
    private final String keyHash;
    private final String csrfToken;
    private final Instant createdAt;
    private volatile Instant lastUsedAt;

    private Session(String tokenHash, String keyHash, String csrfToken, Instant createdAt) {
      this.tokenHash = tokenHash;
      this.keyHash = keyHash;
      this.csrfToken = csrfToken;
      this.createdAt = createdAt;
      this.lastUsedAt = createdAt;
    }

    public String csrfToken() {
      return csrfToken;
    }

    public Instant createdAt() {
      return createdAt;
    }
  }

  /** A session found for a request, with the (still active) key it stands for. */
  public record Resolved(Session session, StoredApiKey key) {
    /** Whether the request echoes the session's CSRF token (compared in constant time). */
    public boolean csrfMatches(HttpRequest<?> request) {
      String sent = request.getHeaders().get(CSRF_HEADER);
      return sent != null
          && MessageDigest.isEqual(
              sent.getBytes(StandardCharsets.UTF_8),
              session.csrfToken.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A new sign-in: the session and the token for its cookie (which exists only here). */
  public record SignIn(Session session, String token) {}

  /** Signs in with an API key; empty when the key is unknown or revoked. */
  public Optional<SignIn> signIn(String secret) {
    Optional<StoredApiKey> key = keys.authenticate(secret);
    if (key.isEmpty()) {
      return Optional.empty();
    }
    expire();
    while (byTokenHash.size() >= config.maxSessions()) {
      byTokenHash.values().stream()
          .min(Comparator.comparing(Session::createdAt))
          .ifPresent(oldest -> byTokenHash.remove(oldest.tokenHash));
    }
    String token = randomToken();
    Session session =
        new Session(ApiKeys.hash(token), ApiKeys.hash(secret), randomToken(), clock.instant());
    byTokenHash.put(session.tokenHash, session);
    return Optional.of(new SignIn(session, token));
  }

  /** The session the request's cookie names, if it is live and its key still active. */
  public Optional<Resolved> resolve(HttpRequest<?> request) {
    Optional<Cookie> cookie = request.getCookies().findCookie(COOKIE);
    if (cookie.isEmpty() || cookie.get().getValue() == null || cookie.get().getValue().isEmpty()) {
      return Optional.empty();
    }
    String tokenHash = ApiKeys.hash(cookie.get().getValue());
    Session session = byTokenHash.get(tokenHash);
    if (session == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (expired(session, now)) {
      byTokenHash.remove(tokenHash);
      return Optional.empty();
    }
    Optional<StoredApiKey> key = keys.authenticateHash(session.keyHash);
    if (key.isEmpty()) {
      byTokenHash.remove(tokenHash);
      return Optional.empty();
    }
    session.lastUsedAt = now;
    return Optional.of(new Resolved(session, key.get()));
  }

  /** The active key a session stands for; empty once the key is revoked. */
  Optional<StoredApiKey> keyOf(Session session) {
    return keys.authenticateHash(session.keyHash);
  }

  /** Ends the session (sign-out). */
  public void end(Session session) {
    byTokenHash.remove(session.tokenHash);
  }

  /** When the session ends unless used again. */
  public Instant expiresAt(Session session) {
    Instant idle = session.lastUsedAt.plus(config.sessionIdleTimeout());
    Instant max = session.createdAt.plus(config.sessionMaxAge());
    return idle.isBefore(max) ? idle : max;
  }

  /** The cookie that carries a new session to the browser. */
  public Cookie cookie(String token, boolean secure) {
    return Cookie.of(COOKIE, token)
        .httpOnly(true)
        .sameSite(SameSite.Strict)
        .path("/")
        .secure(secure)
        .maxAge(config.sessionMaxAge());
  }

  /** The cookie that makes the browser forget its session. */
  public Cookie clearedCookie(boolean secure) {
    return Cookie.of(COOKIE, "")
        .httpOnly(true)
        .sameSite(SameSite.Strict)
        .path("/")
        .secure(secure)
        .maxAge(Duration.ZERO);
  }

  /** GET, HEAD and OPTIONS change nothing and need no CSRF token. */
  public static boolean safe(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
  }

  int size() {
    return byTokenHash.size();
  }

  private boolean expired(Session session, Instant now) {
    return !now.isBefore(expiresAt(session));
  }

  private void expire() {
    Instant now = clock.instant();
    byTokenHash.values().removeIf(s -> expired(s, now));
  }

  private static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}

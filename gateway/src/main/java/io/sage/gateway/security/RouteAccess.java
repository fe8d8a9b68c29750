package io.sage.gateway.security;

import java.util.Set;

/**
 * Which key a path needs. {@code /health}, {@code /ready}, the console's files under {@code /ui}
 * and its sign-in {@code /v1/console/session} are open; {@code /metrics} takes a metrics or admin
 * key (or none where {@link MetricsAccess} allows); every {@code /v1/} path outside {@code
 * /v1/management}, the vLLM routes without the prefix and the sessions are inference routes, so an
 * unserved {@code /v1/} path answers 404, not 401. Everything else, including management, the rest
 * of {@code /v1/console}, paths no route serves and paths with dot segments, empty segments or
 * escapes, needs an admin key: a route added later outside {@code /v1/} is protected until someone
 * decides otherwise.
 */
enum RouteAccess {
  /**
   * Liveness and readiness, for load balancers; the console's static files and its sign-in (which
   * checks the key it is given itself).
   */
  OPEN,
  /** The Prometheus endpoints: a metrics or admin key (when required). */
  METRICS,
  /** The OpenAI routes and conversation sessions: an inference or admin key (when required). */
  INFERENCE,
  /** Management and anything unknown: an admin key, always. */
  ADMIN;

  private static final Set<String> OPEN_PATHS =
      Set.of("/health", "/ready", "/ui", "/v1/console/session");
  private static final String CONSOLE_FILES = "/ui/";
  private static final Set<String> METRICS_PATHS = Set.of("/metrics", "/metrics/engines");
  private static final Set<String> INFERENCE_PATHS =
      Set.of(
          "/sessions",
          "/version",
          "/openapi.json",
          "/tokenize",
          "/detokenize",
          "/pooling",
          "/classify",
          "/score",
          "/rerank",
          "/v2/rerank");
  private static final String[] INFERENCE_PREFIXES = {"/v1/", "/sessions/"};
  private static final String MANAGEMENT = "/v1/management";

  /** The console's API namespace: only its sign-in is open, nothing there is inference. */
  private static final String CONSOLE_API = "/v1/console";

  /** Whether a key of {@code scope} may use a route of this access. */
  boolean admits(String scope) {
    return switch (this) {
      case OPEN -> true;
      case METRICS -> ApiKeys.ADMIN.equals(scope) || ApiKeys.METRICS.equals(scope);
      case INFERENCE -> ApiKeys.ADMIN.equals(scope) || ApiKeys.INFERENCE.equals(scope);
      case ADMIN -> ApiKeys.ADMIN.equals(scope);
    };
  }

  static RouteAccess of(String path) {
    if (CONSOLE_FILES.equals(path)) {
      return OPEN; // the console's shell, as /ui
    }
    if (path == null
        || path.isEmpty()
        || path.contains("//")
        || path.length() > 1 && path.endsWith("/")
        || path.contains("/.")
        || path.contains("\\")
        || path.contains("%")
        || path.contains(";")) {
      return ADMIN;
    }
    if (OPEN_PATHS.contains(path) || path.startsWith(CONSOLE_FILES)) {
      return OPEN;
    }
    if (METRICS_PATHS.contains(path)) {
      return METRICS;
    }
    if (path.equals(MANAGEMENT)
        || path.startsWith(MANAGEMENT + "/")
        || path.equals(CONSOLE_API)
        || path.startsWith(CONSOLE_API + "/")) {
      return ADMIN;
    }
    if (INFERENCE_PATHS.contains(path)) {
      return INFERENCE;
    }
    for (String prefix : INFERENCE_PREFIXES) {
      if (path.startsWith(prefix) && path.length() > prefix.length()) {
        return INFERENCE;
      }
    }
    return ADMIN;
  }
}

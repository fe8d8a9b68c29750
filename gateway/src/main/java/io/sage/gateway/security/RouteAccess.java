package io.sage.gateway.security;

import java.util.Set;

/**
 * Which key a path needs. Only a short list of paths is open or inference; everything else,
 * including paths no route serves and paths with dot segments, empty segments or escapes, needs an
 * admin key: a route added later is protected until someone decides otherwise.
 */
enum RouteAccess {
  /**
   * Liveness and readiness, for load balancers; the console's static files and its sign-in (which
   * checks the key it is given itself).
   */
  OPEN,
  /** The OpenAI routes and conversation sessions: an inference or admin key (when required). */
  INFERENCE,
  /** Management and anything unknown: an admin key, always. */
  ADMIN;

  private static final Set<String> OPEN_PATHS =
      Set.of("/health", "/ready", "/ui", "/v1/console/session");
  private static final String CONSOLE_FILES = "/ui/";
  private static final Set<String> INFERENCE_PATHS =
      Set.of(
          "/v1/chat/completions",
          "/v1/completions",
          "/v1/embeddings",
          "/v1/models",
          "/sessions",
          "/v1/sessions");
  private static final String[] INFERENCE_PREFIXES = {"/v1/models/", "/sessions/", "/v1/sessions/"};

  static RouteAccess of(String path) {
    if (path == null
        || path.isEmpty()
        || path.contains("//")
        || path.contains("/.")
        || path.contains("\\")
        || path.contains("%")
        || path.contains(";")) {
      return ADMIN;
    }
    if (OPEN_PATHS.contains(path) || path.startsWith(CONSOLE_FILES)) {
      return OPEN;
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

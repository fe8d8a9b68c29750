package io.sage.gateway.security;

/** Which key scope a route path needs, in words, for the OpenAPI document. */
public final class RouteKeys {
  private RouteKeys() {}

  /** {@code none}, {@code metrics}, {@code inference} or {@code admin} for a concrete path. */
  public static String needed(String path) {
    return switch (RouteAccess.of(path)) {
      case OPEN -> "none";
      case METRICS -> "metrics";
      case INFERENCE -> "inference";
      case ADMIN -> "admin";
    };
  }
}

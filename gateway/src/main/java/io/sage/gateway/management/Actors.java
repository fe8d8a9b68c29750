package io.sage.gateway.management;

/**
 * Who is acting on a management route: the API key id once keys exist (issue 9), else
 * {@code anonymous}.
 */
final class Actors {
  private Actors() {}

  static String current() {
    return "anonymous";
  }
}

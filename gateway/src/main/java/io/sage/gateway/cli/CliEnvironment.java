package io.sage.gateway.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What the CLI reads from its surroundings: environment variables, whether a terminal is attached,
 * the user's home. Passed in (rather than read where needed) so tests can run the commands with a
 * made-up environment.
 *
 * @param env environment variables
 * @param console true when stdout is a terminal ({@code System.console() != null})
 * @param userHome the user's home, for the default data dir {@code ~/.sage}
 */
public record CliEnvironment(Map<String, String> env, boolean console, Path userHome) {
  public static final String DEFAULT_GATEWAY = "http://127.0.0.1:8000";

  public CliEnvironment {
    env = Map.copyOf(Objects.requireNonNull(env, "env"));
    Objects.requireNonNull(userHome, "userHome");
  }

  public static CliEnvironment system() {
    return new CliEnvironment(
        System.getenv(), System.console() != null, Path.of(System.getProperty("user.home")));
  }

  String get(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value;
  }

  /**
   * Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org) or TERM=dumb.
   */
  boolean colour() {
    return console && env.get("NO_COLOR") == null && !"dumb".equals(env.get("TERM"));
  }

  /** Progress redraws one line in place only on a terminal; piped output gets plain lines. */
  boolean interactive() {
    return console;
  }

  /** Terminal width for the progress line ($COLUMNS when the shell exports it). */
  int columns() {
    try {
      String columns = get("COLUMNS");
      return columns == null ? 100 : Math.max(40, Integer.parseInt(columns.trim()));
    } catch (NumberFormatException e) {
      return 100;
    }
  }

  /**
   * The data dir: {@code --data-dir}, else {@code $SAGE_HOME}, else {@code ~/.sage} (as the
   * gateway).
   */
  Path dataDir(String explicit) {
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit).toAbsolutePath().normalize();
    }
    String home = get("SAGE_HOME");
    if (home != null) {
      return Path.of(home).toAbsolutePath().normalize();
    }
    return userHome.resolve(".sage").toAbsolutePath().normalize();
  }
}

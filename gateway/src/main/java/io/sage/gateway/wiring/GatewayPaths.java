package io.sage.gateway.wiring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the gateway keeps its files: the data dir ({@code --data-dir}, else {@code $SAGE_HOME},
 * else {@code ~/.sage}) holds the database, logs, pid file and per-engine folders.
 */
public final class GatewayPaths {
  private GatewayPaths() {}

  public static Path dataDir(String explicit) {
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit).toAbsolutePath().normalize();
    }
    String home = System.getenv("SAGE_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home).toAbsolutePath().normalize();
    }
    return Path.of(System.getProperty("user.home"), ".sage").toAbsolutePath().normalize();
  }

  /** Bundled plugins of the distribution, the data dir's own plugins folder, then extra folders. */
  public static List<Path> pluginRoots(Path dataDir, List<String> extra) {
    List<Path> roots = new ArrayList<>();
    String dist = System.getenv("SAGE_DIST");
    if (dist == null || dist.isBlank()) {
      dist = System.getProperty("sage.dist");
    }
    if (dist != null && !dist.isBlank() && Files.isDirectory(Path.of(dist, "plugins"))) {
      roots.add(Path.of(dist, "plugins").toAbsolutePath().normalize());
    }
    Path own = dataDir.resolve("plugins");
    if (Files.isDirectory(own)) {
      roots.add(own);
    }
    for (String folder : extra) {
      if (folder != null && !folder.isBlank()) {
        Path path = Path.of(folder.trim()).toAbsolutePath().normalize();
        if (!roots.contains(path)) {
          roots.add(path);
        }
      }
    }
    return roots;
  }

  public static Path pidFile(Path dataDir) {
    return dataDir.resolve("gateway.pid");
  }

  public static Path logFile(Path dataDir) {
    return dataDir.resolve("logs").resolve("gateway.log");
  }

  /**
   * What the background gateway prints outside its log (JVM messages, a failed start's error);
   * small, so not rotated.
   */
  public static Path consoleFile(Path dataDir) {
    return dataDir.resolve("logs").resolve("gateway.out");
  }

  /** Present while a stop that keeps engines running is under way. */
  public static Path keepEnginesFlag(Path dataDir) {
    return dataDir.resolve("shutdown-keep-engines");
  }
}

package io.sage.gateway.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The JVM options of the background gateway process, sized for the 2-core default machine
 * (docs/decisions.md, "Data plane performance"): the serial collector with a small initial heap
 * that grows under load and shrinks back (idle RSS), small thread stacks, and an application class
 * data sharing archive in {@code <data-dir>/cache}: the first start records the classes the gateway
 * loads and writes the archive when it stops; later starts map it instead of loading and verifying
 * every class again. The archive's name carries a digest of the JVM and the class path (jar sizes
 * and times included), so an upgrade makes a new one. {@code SAGE_GATEWAY_JAVA_OPTS} comes last, so
 * an operator's flags win.
 */
final class GatewayJvm {
  static final List<String> BASE =
      List.of(
          "-XX:+UseSerialGC",
          "-Xms32m",
          "-Xmx1g",
          // a young generation of up to 64 MB: with the heap's default share of a small heap
          // (about 10 MB) every few hundred requests were a collection. With the 32 MB initial
          // heap the JVM starts it at the heap's size and grows it with the heap (29 MB at a
          // 60 MB heap under load): half the collections and 11 % more throughput at 64
          // connections; a 96 MB initial heap would give the full 64 MB for 18 MB more idle RSS
          // (docs/decisions.md, 75)
          "-Xmn64m",
          // the heap gives memory back after a burst, but keeps room enough not to collect the
          // old generation again at once
          "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=70",
          "-Xss512k",
          "-XX:ReservedCodeCacheSize=64m",
          // on machines with fewer than 3 CPUs the common pool would start a thread per async task
          "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4");

  private GatewayJvm() {}

  /** A recording left by a gateway that never stopped normally is retried after this long. */
  static final Duration STALE_RECORDING = Duration.ofMinutes(30);

  static final int KEPT_ARCHIVES = 3;

  /** The options for a gateway whose archive lives in {@code cache}, then the operator's own. */
  static List<String> options(Path cache, String classPath, String extra) {
    List<String> options = new ArrayList<>(BASE);
    Path archive = archive(cache, classPath);
    if (archive != null) {
      if (Files.isRegularFile(archive)) {
        options.add("-XX:SharedArchiveFile=" + archive);
      } else if (claimRecording(archive)) {
        options.add("-XX:ArchiveClassesAtExit=" + archive);
      }
      options.add("-Xshare:auto");
      // a stale or unreadable archive only costs the speed-up; it must not fill the log
      options.add("-Xlog:cds=off,cds+dynamic=off");
    }
    if (extra != null && !extra.isBlank()) {
      options.addAll(List.of(extra.trim().split("\\s+")));
    }
    return options;
  }

  /**
   * glibc gives each thread that mallocs its own arena (up to 8 per core), most of it idle; two are
   * enough for a JVM whose allocations are in its heap. An operator's own setting stays.
   */
  static void environment(Map<String, String> env) {
    env.putIfAbsent("MALLOC_ARENA_MAX", "2");
  }

  /** The first writable of {@code $XDG_CACHE_HOME/sage}, {@code ~/.cache/sage}, the data dir's. */
  static Path cacheDir(Map<String, String> env, Path dataDir) {
    List<Path> candidates = new ArrayList<>();
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      candidates.add(Path.of(xdg, "sage"));
    }
    String home = System.getProperty("user.home");
    if (home != null && !home.isBlank() && !home.equals("?")) {
      candidates.add(Path.of(home, ".cache", "sage"));
    }
    candidates.add(dataDir.resolve("cache"));
    for (Path candidate : candidates) {
      try {
        Files.createDirectories(candidate);
        if (Files.isWritable(candidate)) {
          return candidate;
        }
      } catch (IOException | RuntimeException e) {
        // try the next one
      }
    }
    return dataDir.resolve("cache");
  }

  /** {@code <cache>/gateway-<digest>.jsa}, or null when the cache folder can't be made. */
  static Path archive(Path cache, String classPath) {
    try {
      Files.createDirectories(cache);
      return cache.resolve("gateway-" + digest(classPath) + ".jsa");
    } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
      return null;
    }
  }

  /** Whether this start records the archive: no other gateway is recording it (recently). */
  private static boolean claimRecording(Path archive) {
    Path marker = archive.resolveSibling(archive.getFileName() + ".recording");
    try {
      if (Files.exists(marker)
          && Files.getLastModifiedTime(marker)
              .toInstant()
              .isBefore(Instant.now().minus(STALE_RECORDING))) {
        Files.deleteIfExists(marker);
      }
      Files.createFile(marker);
    } catch (IOException e) {
      return false;
    }
    prune(archive.getParent());
    return true;
  }

  /**
   * Old builds' archives: only the newest {@link #KEPT_ARCHIVES} of the gateway's stay, and as many
   * of the CLI's ({@code cli-<key>.jsa}, made by {@code bin/sage} in the same folder).
   */
  private static void prune(Path cache) {
    prune(cache, "gateway-[0-9a-f]+\\.jsa");
    prune(cache, "cli-[0-9]+\\.jsa");
    pruneMarkers(cache);
  }

  /**
   * Recording markers older than {@link #STALE_RECORDING}: a recording's marker stays behind once
   * its archive is written, and one of a gateway killed while recording is never followed by one; a
   * start treats either as stale already, so they only fill the folder.
   */
  private static void pruneMarkers(Path cache) {
    Instant stale = Instant.now().minus(STALE_RECORDING);
    try (var files = Files.list(cache)) {
      for (Path marker : (Iterable<Path>) files::iterator) {
        if (marker.getFileName().toString().endsWith(".jsa.recording")
            && Files.getLastModifiedTime(marker).toInstant().isBefore(stale)) {
          Files.deleteIfExists(marker);
        }
      }
    } catch (IOException | RuntimeException e) {
      // pruning is best effort
    }
  }

  private static void prune(Path cache, String pattern) {
    try (var files = Files.list(cache)) {
      List<Path> archives =
          files
              .filter(f -> f.getFileName().toString().matches(pattern))
              .sorted((a, b) -> Long.compare(b.toFile().lastModified(), a.toFile().lastModified()))
              .toList();
      for (Path old : archives.subList(Math.min(KEPT_ARCHIVES, archives.size()), archives.size())) {
        Files.deleteIfExists(old);
      }
    } catch (IOException | RuntimeException e) {
      // pruning is best effort
    }
  }

  private static String digest(String classPath) throws NoSuchAlgorithmException {
    StringBuilder key =
        new StringBuilder(System.getProperty("java.home"))
            .append('|')
            .append(System.getProperty("java.vm.version"));
    for (String entry : classPath.split(File.pathSeparator)) {
      File file = new File(entry);
      key.append('|')
          .append(entry)
          .append(':')
          .append(file.length())
          .append(':')
          .append(file.lastModified());
    }
    byte[] hash =
        MessageDigest.getInstance("SHA-256")
            .digest(key.toString().getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(hash, 0, 8);
  }
}

package io.sage.gateway.cli;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

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
          // the heap gives memory back after a burst instead of keeping its peak
          "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=30",
          "-Xss512k",
          "-XX:ReservedCodeCacheSize=64m",
          // on machines with fewer than 3 CPUs the common pool would start a thread per async task
          "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4");

  private GatewayJvm() {}

  /** The options for a gateway with this data dir and class path, then the operator's own. */
  static List<String> options(Path dataDir, String classPath, String extra) {
    List<String> options = new ArrayList<>(BASE);
    Path archive = archive(dataDir, classPath);
    if (archive != null) {
      options.add("-Xshare:auto");
      if (Files.isRegularFile(archive)) {
        options.add("-XX:SharedArchiveFile=" + archive);
      } else {
        options.add("-XX:ArchiveClassesAtExit=" + archive);
      }
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
  static void environment(java.util.Map<String, String> env) {
    env.putIfAbsent("MALLOC_ARENA_MAX", "2");
  }

  /** {@code <data-dir>/cache/gateway-<digest>.jsa}, or null when the cache folder can't be made. */
  static Path archive(Path dataDir, String classPath) {
    try {
      Path cache = dataDir.resolve("cache");
      Files.createDirectories(cache);
      return cache.resolve("gateway-" + digest(classPath) + ".jsa");
    } catch (Exception e) {
      return null;
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

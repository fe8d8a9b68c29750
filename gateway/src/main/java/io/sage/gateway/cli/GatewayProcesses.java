package io.sage.gateway.cli;

import io.sage.gateway.wiring.GatewayPaths;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The gateway process as seen from the CLI: pid file, java executable, log file. */
final class GatewayProcesses {
  private GatewayProcesses() {}

  /** The pid in the data dir's pid file when that process is alive and is a java process. */
  static Optional<Long> runningPid(Path dataDir) {
    Path pidFile = GatewayPaths.pidFile(dataDir);
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(true))
          .map(ProcessHandle::pid);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  static String java() {
    String fromLauncher = System.getenv("SAGE_JAVA");
    if (fromLauncher != null && !fromLauncher.isBlank()) {
      return fromLauncher;
    }
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The gateway's maximum heap: {@code SAGE_GATEWAY_HEAP} (a JVM size such as 2g), else 1g. */
  static String heap() {
    String configured = System.getenv("SAGE_GATEWAY_HEAP");
    if (configured == null || configured.isBlank()) {
      return "1g";
    }
    String value = configured.trim();
    if (!value.matches("[0-9]{1,7}[kKmMgG]?")) {
      throw new CliException(
          SageCli.USAGE, "SAGE_GATEWAY_HEAP must be a JVM size such as 2g or 1536m, got " + value);
    }
    return value;
  }

  /** JVM options for the gateway process from {@code SAGE_JAVA_OPTS}, split at white space. */
  static List<String> extraJavaOptions() {
    String options = System.getenv("SAGE_JAVA_OPTS");
    if (options == null || options.isBlank()) {
      return List.of();
    }
    return List.of(options.trim().split("\\s+"));
  }

  static List<String> tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return all.subList(Math.max(0, all.size() - lines), all.size());
    } catch (IOException e) {
      return List.of();
    }
  }

  static void follow(Path file) throws IOException, InterruptedException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long position = raf.length();
      while (true) {
        long length = raf.length();
        if (length < position) {
          position = 0;
        }
        if (length > position) {
          raf.seek(position);
          byte[] chunk = new byte[(int) Math.min(length - position, 1 << 20)];
          raf.readFully(chunk);
          position += chunk.length;
          System.out.print(new String(chunk, StandardCharsets.UTF_8));
          System.out.flush();
        }
        Thread.sleep(250);
      }
    }
  }
}

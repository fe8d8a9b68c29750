package io.sage.host.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Linux process groups through /proc and kill(1): signalling a whole group and checking that no
 * member is left. Engines that fork (vLLM starts workers) therefore leave no orphan.
 */
public final class ProcessGroups {
  private static final Path PROC = Path.of("/proc");

  private ProcessGroups() {}

  /** Sends {@code signal} (TERM, KILL) to every process of group {@code pgid}. */
  public static void signal(long pgid, String signal) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("refusing to signal process group " + pgid);
    }
    try {
      Process kill =
          new ProcessBuilder("kill", "-s", signal, "--", "-" + pgid)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      kill.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run kill for process group " + pgid + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Pids of the live (not zombie) processes whose process group is {@code pgid}. */
  public static List<Long> members(long pgid) {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> dirs =
        Files.newDirectoryStream(PROC, p -> isNumeric(p.getFileName().toString()))) {
      for (Path dir : dirs) {
        Optional<String[]> stat = stat(dir);
        if (stat.isPresent()
            && Long.parseLong(stat.get()[2]) == pgid
            && !"Z".equals(stat.get()[0])) {
          pids.add(Long.parseLong(dir.getFileName().toString()));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
    }
    return pids;
  }

  /** The command line of {@code pid} as recorded by the OS, arguments joined by spaces. */
  public static Optional<String> commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
      if (raw.length == 0) {
        return Optional.empty();
      }
      int end = raw[raw.length - 1] == 0 ? raw.length - 1 : raw.length;
      return Optional.of(new String(raw, 0, end, StandardCharsets.UTF_8).replace('\0', ' '));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The OS start time of {@code pid}, when it is alive. */
  public static Optional<Instant> startTime(long pid) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .flatMap(h -> h.info().startInstant());
  }

  /**
   * The live process {@code pid} when it is the very process that was recorded: same start time and
   * same command line. A recycled pid fails the check.
   */
  public static Optional<ProcessHandle> identify(long pid, Instant startTime, String commandLine) {
    return identify(pid, startTime, commandLine, null);
  }

  /**
   * Like {@link #identify(long, Instant, String)}, but a process whose command line changed since
   * its launch (a wrapper that exec'd the engine: a python entry script, a shell script) is still
   * the engine when its environment names {@code engineId} ({@link ProcessLauncher#ENGINE_ID_ENV}).
   */
  public static Optional<ProcessHandle> identify(
      long pid, Instant startTime, String commandLine, String engineId) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (handle.isEmpty() || startTime == null || commandLine == null) {
      return Optional.empty();
    }
    Optional<Instant> actualStart = handle.get().info().startInstant();
    Optional<String> actualCommand = commandLine(pid);
    boolean sameStart =
        actualStart.isPresent()
            && Math.abs(actualStart.get().toEpochMilli() - startTime.toEpochMilli()) < 1000;
    boolean sameCommand =
        actualCommand.isPresent() && actualCommand.get().equals(commandLine)
            || engineId != null
                && hasEnvironment(pid, ProcessLauncher.ENGINE_ID_ENV + "=" + engineId);
    return sameStart && sameCommand ? handle : Optional.empty();
  }

  /**
   * Whether {@code /proc/<pid>/environ} (the environment it was exec'd with) holds {@code entry}.
   */
  static boolean hasEnvironment(long pid, String entry) {
    try {
      byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
      for (String variable : new String(raw, StandardCharsets.UTF_8).split("\0")) {
        if (variable.equals(entry)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<String[]> stat(Path dir) {
    try {
      String stat = Files.readString(dir.resolve("stat"));
      // fields after the command name, which is in parentheses and may contain spaces
      String rest = stat.substring(stat.lastIndexOf(')') + 2);
      return Optional.of(rest.split(" "));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean isNumeric(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}

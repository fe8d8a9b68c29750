package io.sage.host.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Linux {@link ProcessTable}: {@code /proc} for what runs and {@code kill(1)} for signals to a
 * whole process group, so engines that fork (vLLM starts workers) leave no orphan.
 */
public final class ProcProcessTable implements ProcessTable {
  private static final Path PROC = Path.of("/proc");

  @Override
  public Optional<ProcessInfo> find(long pid) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (handle.isEmpty() || isZombie(pid)) {
      return Optional.empty();
    }
    return Optional.of(new ProcessInfo(pid, handle.get().info().startInstant(), commandLine(pid)));
  }

  @Override
  public void signalGroup(long pgid, Signal signal) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("refusing to signal process group " + pgid);
    }
    if (processGroup(ProcessHandle.current().pid()).map(own -> own == pgid).orElse(false)) {
      throw new IllegalArgumentException(
          "refusing to signal process group " + pgid + ": it is the gateway's own");
    }
    try {
      Process kill =
          new ProcessBuilder("kill", "-s", signal.name().toUpperCase(Locale.ROOT), "--", "-" + pgid)
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

  @Override
  public CompletableFuture<Void> onExit(long pid) {
    return ProcessHandle.of(pid)
        .map(h -> h.onExit().<Void>thenApply(x -> null))
        .orElseGet(() -> CompletableFuture.completedFuture(null));
  }

  @Override
  public List<Long> groupMembers(long pgid) {
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

  @Override
  public List<TaggedProcess> withEnvironment(String name) {
    String prefix = name + "=";
    List<TaggedProcess> found = new ArrayList<>();
    try (DirectoryStream<Path> dirs =
        Files.newDirectoryStream(PROC, p -> isNumeric(p.getFileName().toString()))) {
      for (Path dir : dirs) {
        long pid = Long.parseLong(dir.getFileName().toString());
        Optional<String> value = environmentValue(pid, prefix);
        Optional<String[]> stat = stat(dir);
        if (value.isEmpty() || stat.isEmpty() || "Z".equals(stat.get()[0])) {
          continue;
        }
        find(pid)
            .ifPresent(
                info ->
                    found.add(new TaggedProcess(info, Long.parseLong(stat.get()[2]), value.get())));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
    }
    return found;
  }

  /** The process group of {@code pid}, or empty when it is gone. */
  static Optional<Long> processGroup(long pid) {
    return stat(PROC.resolve(Long.toString(pid))).map(s -> Long.parseLong(s[2]));
  }

  /** The command line of {@code pid} as recorded by the OS, arguments joined by spaces. */
  Optional<String> commandLine(long pid) {
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

  @Override
  public boolean hasEnvironment(long pid, String entry) {
    int eq = entry.indexOf('=');
    return eq > 0
        && environmentValue(pid, entry.substring(0, eq + 1))
            .map(entry.substring(eq + 1)::equals)
            .orElse(false);
  }

  /**
   * The value of the variable {@code prefix} ({@code NAME=}) names, in the process's environment.
   */
  private static Optional<String> environmentValue(long pid, String prefix) {
    try {
      byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
      for (String variable : new String(raw, StandardCharsets.UTF_8).split("\0")) {
        if (variable.startsWith(prefix)) {
          return Optional.of(variable.substring(prefix.length()));
        }
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      // gone, or another user's process (not ours to signal anyway)
      return Optional.empty();
    }
  }

  private static boolean isZombie(long pid) {
    return stat(PROC.resolve(Long.toString(pid))).map(s -> "Z".equals(s[0])).orElse(false);
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

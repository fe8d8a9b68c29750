package io.sage.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Processes whose working directory lies in a test's data dir: engines a test left behind. */
public final class Leftovers {
  private Leftovers() {}

  public static List<Long> processesUnder(Path dataDir) {
    List<Long> pids = new ArrayList<>();
    Path root = dataDir.toAbsolutePath().normalize();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .forEach(
              p -> {
                try {
                  Path cwd = Files.readSymbolicLink(p.resolve("cwd"));
                  if (cwd.startsWith(root)) {
                    pids.add(Long.parseLong(p.getFileName().toString()));
                  }
                } catch (IOException | RuntimeException e) {
                  // process gone or not ours
                }
              });
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return pids;
  }

  /** Kills every leftover under the data dir and returns how many there were. */
  public static int killAll(Path dataDir) {
    List<Long> pids = processesUnder(dataDir);
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    return pids.size();
  }
}

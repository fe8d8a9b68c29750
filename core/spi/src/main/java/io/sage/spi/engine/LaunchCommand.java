package io.sage.spi.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A process to start: an argument vector (never a shell line), extra environment variables and a
 * working directory. The host starts it in a process group of its own, sends its output to the
 * engine's log file and supervises it.
 *
 * @param argv program and arguments; {@code argv.get(0)} is the executable
 * @param environment variables added to the host's environment
 * @param workingDirectory where the process starts
 */
public record LaunchCommand(
    List<String> argv, Map<String, String> environment, Path workingDirectory) {
  public LaunchCommand {
    argv = List.copyOf(Objects.requireNonNull(argv, "argv"));
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("argv must name an executable");
    }
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    Objects.requireNonNull(workingDirectory, "workingDirectory");
  }
}

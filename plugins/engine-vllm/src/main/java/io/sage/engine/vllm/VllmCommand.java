package io.sage.engine.vllm;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds the vLLM executable: option {@code vllm_command}, else the environment variable {@value
 * #ENV_VARIABLE}, else {@code vllm} on the PATH. It is always one executable, never a command line;
 * {@code python -m vllm...} belongs in a wrapper script. Resolving here, before the launch, turns a
 * missing vLLM into a sentence naming the engine instead of an exec error.
 */
final class VllmCommand {
  static final String ENV_VARIABLE = "SAGE_VLLM_COMMAND";
  static final String DEFAULT = "vllm";

  private VllmCommand() {}

  /**
   * The absolute path of the executable to run.
   *
   * @throws SageException {@code LAUNCH_FAILED} naming the engine when it is missing
   */
  static String resolve(
      String engineId, Optional<String> option, Function<String, String> environment) {
    String fromEnvironment = environment.apply(ENV_VARIABLE);
    String source;
    String command;
    if (option.isPresent()) {
      source = "option vllm_command";
      command = option.get();
    } else if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      source = ENV_VARIABLE;
      command = fromEnvironment.trim();
    } else {
      source = "the default";
      command = DEFAULT;
    }
    if (command.chars().anyMatch(Character::isWhitespace)) {
      throw failure(
          engineId,
          source
              + " must name a single executable, not a command line ('"
              + command
              + "'); put 'python -m ...' in a wrapper script");
    }
    if (command.contains("/")) {
      Path path;
      try {
        path = Path.of(command).toAbsolutePath().normalize();
      } catch (InvalidPathException e) {
        throw failure(engineId, source + " '" + command + "' is not a valid path");
      }
      if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
        throw failure(
            engineId,
            "vLLM command '" + command + "' (from " + source + ") is not an executable file");
      }
      return path.toString();
    }
    return onPath(command, environment.apply("PATH"))
        .orElseThrow(
            () ->
                failure(
                    engineId,
                    "vLLM command '"
                        + command
                        + "' (from "
                        + source
                        + ") is not on the PATH; install vLLM"
                        + " or set option vllm_command or "
                        + ENV_VARIABLE
                        + " to its path"));
  }

  private static Optional<String> onPath(String name, String searchPath) {
    if (searchPath == null) {
      return Optional.empty();
    }
    for (String dir : searchPath.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      try {
        Path candidate = Path.of(dir, name).toAbsolutePath();
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate.toString());
        }
      } catch (InvalidPathException e) {
        // a malformed PATH entry cannot hold the executable; the next one may
      }
    }
    return Optional.empty();
  }

  private static SageException failure(String engineId, String reason) {
    return new SageException(ErrorCode.LAUNCH_FAILED, "engine " + engineId + ": " + reason);
  }
}

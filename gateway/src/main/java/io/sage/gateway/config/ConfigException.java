package io.sage.gateway.config;

import java.nio.file.Path;
import java.util.List;

/** The config file cannot be used: its path and every problem, each naming its key. */
public final class ConfigException extends RuntimeException {
  private final transient Path file;
  private final List<String> problems;

  ConfigException(Path file, List<String> problems) {
    super("config " + file + ": " + String.join("; ", problems));
    this.file = file;
    this.problems = List.copyOf(problems);
  }

  public Path file() {
    return file;
  }

  public List<String> problems() {
    return problems;
  }
}

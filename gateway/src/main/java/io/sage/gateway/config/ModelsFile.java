package io.sage.gateway.config;

import io.sage.host.models.Declarations;
import io.sage.host.models.Origin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The declared models of the config file: the whole file is checked first (a bad setting anywhere
 * refuses the declarations too), then its {@code models:} and {@code groups:} are read.
 */
public final class ModelsFile {
  private ModelsFile() {}

  /**
   * The file's declarations; {@link Declarations#NONE} when it does not exist.
   *
   * @throws ConfigException naming the file and every problem
   */
  public static Declarations read(Path file) {
    if (!Files.exists(file)) {
      return Declarations.NONE;
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file, List.of("cannot read it: " + e.getMessage()));
    }
    return parse(file, text);
  }

  /**
   * The declarations of a config file's text; the whole text is checked ({@code file} names it).
   */
  public static Declarations parse(Path file, String text) {
    ConfigFile.parse(file, text);
    Map<?, ?> root = ConfigFile.sections(file, text);
    List<String> problems = new ArrayList<>();
    Declarations declarations =
        Declarations.parse(root.get("models"), root.get("groups"), Origin.FILE, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(file, problems);
    }
    return declarations;
  }
}

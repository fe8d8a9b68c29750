package io.sage.gateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The gateway's config file: {@code --config FILE}, else {@code <data-dir>/sage.yml} when it
 * exists. Read once at start, before anything else happens; an unknown section or key, or a bad
 * value, stops the start with every problem named ({@link ConfigException}). docs/operations.md
 * lists the keys. Precedence, highest first: command-line flags, environment variables, this file,
 * the defaults written in the configuration records.
 */
public final class ConfigFile {
  /** The file's name in the data dir. */
  public static final String DEFAULT_NAME = "sage.yml";

  /** Every section the file may hold, in the order docs/operations.md lists them. */
  public static final List<ConfigSection> SECTIONS =
      List.of(
          new RecordSection("server", "micronaut.server", ServerConfig.class),
          RecordSection.of(EnginesConfig.class),
          RecordSection.of(HealthConfig.class),
          RecordSection.of(StartupTimeoutConfig.class),
          RecordSection.of(DrainConfig.class),
          RecordSection.of(StopConfig.class),
          RecordSection.of(RestartConfig.class),
          RecordSection.of(HostCheckConfig.class),
          RecordSection.of(AuthConfig.class),
          RecordSection.of(LimitsConfig.class),
          RecordSection.of(SessionsConfig.class),
          RecordSection.of(ConsoleConfig.class),
          RecordSection.of(MetricsConfig.class),
          RecordSection.of(AccessLogConfig.class),
          RecordSection.of(UsageConfig.class),
          RecordSection.of(FairShareConfig.class),
          RecordSection.of(GpuConfig.class),
          RecordSection.of(DbConfig.class),
          RecordSection.of(NodeConfig.class),
          DeclarationsSection.MODELS,
          DeclarationsSection.GROUPS);

  private ConfigFile() {}

  /**
   * What the config file sets.
   *
   * @param file the file read, or null when there was none
   * @param properties gateway properties (Micronaut names) the file sets
   */
  public record Loaded(Path file, Map<String, Object> properties) {
    public Loaded {
      properties = Map.copyOf(properties);
    }

    /** The server address the file sets, else the defaults. */
    public ServerConfig server() {
      Object host = properties.get("micronaut.server.host");
      Object port = properties.get("micronaut.server.port");
      Map<String, String> defaults = SECTIONS.get(0).defaults();
      return new ServerConfig(
          host != null ? host.toString() : defaults.get("host"),
          Integer.parseInt(port != null ? port.toString() : defaults.get("port")));
    }
  }

  /**
   * Reads {@code explicit} when given (it must exist), else {@code <dataDir>/sage.yml} if present.
   *
   * @throws ConfigException naming the file and every problem
   */
  public static Loaded load(Path dataDir, Path explicit) {
    Path file = explicit != null ? explicit : dataDir.resolve(DEFAULT_NAME);
    if (!Files.exists(file)) {
      if (explicit != null) {
        throw new ConfigException(file, List.of("the file does not exist"));
      }
      return new Loaded(null, Map.of());
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file, List.of("cannot read it: " + e.getMessage()));
    }
    return new Loaded(file, parse(file, text));
  }

  static Map<String, Object> parse(Path file, String text) {
    Map<?, ?> sections = sections(file, text);
    Map<String, Object> properties = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<?, ?> entry : sections.entrySet()) {
      String name = String.valueOf(entry.getKey());
      ConfigSection section =
          SECTIONS.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
      if (section == null) {
        problems.add(name + ": unknown section (known: " + names() + ")");
      } else {
        section.read(entry.getValue(), properties, problems);
      }
    }
    if (problems.isEmpty()) {
      // what needs models: and groups: together (an alias naming two models, a missing group)
      io.sage.host.models.Declarations.parse(
          sections.get("models"),
          sections.get("groups"),
          io.sage.host.models.Origin.FILE,
          problems);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(file, problems);
    }
    return properties;
  }

  /** The file's top-level mapping (empty for an empty file). */
  static Map<?, ?> sections(Path file, String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Object root;
    try {
      root = new Yaml(new SafeConstructor(options)).load(text);
    } catch (YAMLException e) {
      throw new ConfigException(file, List.of("not valid YAML: " + oneLine(e.getMessage())));
    }
    if (root == null) {
      return Map.of();
    }
    if (!(root instanceof Map<?, ?> sections)) {
      throw new ConfigException(file, List.of("must be a mapping of sections (" + names() + ")"));
    }
    return sections;
  }

  private static String names() {
    return String.join(", ", SECTIONS.stream().map(ConfigSection::name).toList());
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*\\n\\s*", " ").trim();
  }
}

package io.sage.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path dataDir;

  private ConfigFile.Loaded load(String yaml) throws IOException {
    Files.writeString(dataDir.resolve("sage.yml"), yaml);
    return ConfigFile.load(dataDir, null);
  }

  private static void refused(ThrowingLoad load, String... parts) {
    assertThatThrownBy(load::run)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config ")
        .hasMessageContainingAll(parts)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  interface ThrowingLoad {
    void run() throws Exception;
  }

  @Test
  void noFileMeansNoSettings() {
    ConfigFile.Loaded loaded = ConfigFile.load(dataDir, null);
    assertThat(loaded.file()).isNull();
    assertThat(loaded.properties()).isEmpty();
    assertThat(loaded.server()).isEqualTo(new ServerConfig("127.0.0.1", 8000));
  }

  @Test
  void aGoodFileBecomesGatewayProperties() throws IOException {
    ConfigFile.Loaded loaded =
        load(
            "server:\n  port: 9100\nhealth:\n  interval: 2s\n  failure-threshold: 5\n"
                + "engines:\n  port-range-start: 42000\n  port-range-end: 42100\n"
                + "metrics:\n  enabled: false\ngpu:\n  provider: none\n");

    assertThat(loaded.properties())
        .containsAllEntriesOf(
            Map.of(
                "micronaut.server.port", "9100",
                "sage.health.interval", "2s",
                "sage.health.failure-threshold", "5",
                "sage.engines.port-range-start", "42000",
                "sage.metrics.enabled", "false",
                "gpu.provider", "none"));
    assertThat(loaded.server()).isEqualTo(new ServerConfig("127.0.0.1", 9100));
  }

  @Test
  void theSettingsOfHardeningConsoleAndLimitsAreSectionsToo() throws IOException {
    ConfigFile.Loaded loaded =
        load(
            "http:\n  allowed-hosts: [gpu-box.lab, gpu-box.example.com]\n  allowed-origins: []\n"
                + "limits:\n  max-concurrent-per-key: 512\n  stall-timeout: 30s\n"
                + "sessions:\n  max-message-bytes: 2048\n"
                + "console:\n  enabled: false\n  session-max-age: 1h\n");

    // a list is written the way Micronaut reads one from the environment; an empty one sets nothing
    assertThat(loaded.properties())
        .containsAllEntriesOf(
            Map.of(
                "sage.http.allowed-hosts", "gpu-box.lab,gpu-box.example.com",
                "sage.limits.max-concurrent-per-key", "512",
                "sage.limits.stall-timeout", "30s",
                "sage.sessions.max-message-bytes", "2048",
                "sage.console.enabled", "false",
                "sage.console.session-max-age", "1h"))
        .doesNotContainKey("sage.http.allowed-origins");
    assertThat(RecordSection.of(HostCheckConfig.class).defaults())
        .containsExactly(Map.entry("allowed-hosts", "[]"), Map.entry("allowed-origins", "[]"));
    assertThat(RecordSection.of(LimitsConfig.class).defaults())
        .containsEntry("max-concurrent-per-key", "2048");
  }

  @Test
  void badValuesOfTheNewerSectionsAreNamed() {
    refused(
        () -> load("http:\n  allowed-hosts: {a: b}\n"),
        "http.allowed-hosts: must be a list of texts");
    refused(
        () -> load("limits:\n  stall-timeout: 0s\n"),
        "limits.stall-timeout must be a positive duration");
    refused(
        () -> load("sessions:\n  max-message-bytes: 0\n"),
        "sessions.max-message-bytes must be at least 1");
    refused(() -> load("console:\n  max-sessions: 0\n"), "console.max-sessions must be at least 1");
  }

  @Test
  void anEmptyFileIsFine() throws IOException {
    assertThat(load("# nothing yet\n").properties()).isEmpty();
  }

  @Test
  void unknownSectionsAndKeysAreNamed() {
    refused(() -> load("helth:\n  interval: 5s\n"), "helth: unknown section", "known: server");
    refused(
        () -> load("health:\n  intervall: 5s\n"),
        "health.intervall: unknown key",
        "known: interval, starting-interval, timeout, failure-threshold");
  }

  @Test
  void badValuesAreNamedWithTheReason() {
    refused(() -> load("health:\n  interval: five\n"), "health.interval: must be a duration");
    refused(() -> load("health:\n  interval: 0s\n"), "health.interval must be a positive duration");
    refused(() -> load("server:\n  port: 70000\n"), "server.port must be a port from 1 to 65535");
    refused(
        () -> load("restart:\n  max-restarts: many\n"), "restart.max-restarts: must be a whole");
    refused(() -> load("metrics:\n  enabled: maybe\n"), "metrics.enabled: must be true or false");
    refused(() -> load("auth:\n  inference: sometimes\n"), "auth.inference must be required");
    refused(() -> load("health: 5s\n"), "health: must be a mapping of keys");
  }

  @Test
  void rulesAcrossKeysUseTheDefaultsOfKeysNotGiven() {
    refused(
        () -> load("engines:\n  port-range-end: 40000\n"),
        "engines.port-range-end (40000) must not be below engines.port-range-start (41000)");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    refused(
        () -> load("health:\n  interval: x\nstop:\n  grace: 1s\n"),
        "health.interval",
        "stop.grace");
  }

  @Test
  void brokenYamlAndAMissingExplicitFileAreRefused() throws IOException {
    refused(() -> load("health:\n  interval: 5s\n  interval: 6s\n"), "not valid YAML", "duplicate");
    refused(() -> load("health: [1, 2\n"), "not valid YAML");
    refused(() -> ConfigFile.load(dataDir, dataDir.resolve("other.yml")), "does not exist");
  }

  @Test
  void everySectionHasItsDefaultsFromTheRecords() {
    for (ConfigSection section : ConfigFile.SECTIONS) {
      if (section instanceof RecordSection) {
        assertThat(section.defaults()).as(section.name()).isNotEmpty();
      }
    }
    assertThat(RecordSection.of(HealthConfig.class).defaults())
        .containsExactly(
            Map.entry("interval", "5s"),
            Map.entry("starting-interval", "250ms"),
            Map.entry("timeout", "2s"),
            Map.entry("failure-threshold", "3"));
  }

  @Test
  void declaredModelsAreReadAndSetNoProperty() throws IOException {
    ConfigFile.Loaded loaded =
        load(
            "models:\n  qwen:\n    model: Qwen/Qwen2.5-7B\n    runtime: mock\n"
                + "    aliases: [gpt-4o]\n    replicas: {min: 0, max: 2}\n    group: big\n"
                + "groups:\n  big:\n    max_loaded: 1\n");
    assertThat(loaded.properties()).isEmpty();
    assertThat(ModelsFile.read(dataDir.resolve("sage.yml")).resolve("gpt-4o").orElseThrow().name())
        .isEqualTo("qwen");
  }

  @Test
  void aBadDeclarationRefusesTheWholeFileNamingTheField() {
    refused(
        () -> load("models:\n  qwen:\n    model: q\n    runtime: mock\n    idle_timeout: 10x\n"),
        "models.qwen.idle_timeout: '10x' is not a duration");
    refused(
        () -> load("models:\n  qwen:\n    model: q\n    runtime: mock\n    colour: red\n"),
        "models.qwen.colour: unknown key");
    refused(
        () ->
            load(
                "models:\n  a:\n    model: q\n    runtime: mock\n    replicas: {min: 3, max: 1}\n"),
        "models.a.replicas: min 3 is greater than max 1");
    refused(
        () ->
            load(
                "models:\n  a:\n    model: q\n    runtime: mock\n    aliases: [x]\n"
                    + "  b:\n    model: q\n    runtime: mock\n    aliases: [x]\n"),
        "models.b.aliases: 'x' already names model 'a'");
  }
}

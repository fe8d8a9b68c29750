package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8: the examples run against a real gateway: each client example as its own JVM with only
 * the examples, the SDK and Jackson on its class path, and the echo plugin (built only against
 * core/spi) dropped into a plugins folder.
 */
class ExamplesIT {
  static final Duration READY = Duration.ofSeconds(60);

  @TempDir static Path dataDir;
  @TempDir static Path pluginsDir;
  static Gateway gateway;

  @BeforeAll
  static void start() throws IOException {
    Path echoJar = testClassPathEntry("sage-echo-plugin", "echo-plugin");
    assertThat(echoJar.toString()).as("the echo plugin must be packaged").endsWith(".jar");
    Files.copy(echoJar, pluginsDir.resolve("sage-echo-plugin.jar"));
    gateway = Gateway.start(dataDir, "--plugins-dir", pluginsDir.toString());
    String chat =
        gateway.startEngine(
            "{\"model\":\"example-chat\",\"runtime\":\"mock\","
                + "\"options\":{\"tokens_per_second\":50}}");
    String embed =
        gateway.startEngine(
            "{\"model\":\"example-embed\",\"engine_kind\":\"embedding\","
                + "\"runtime\":\"mock\",\"options\":{\"embedding_dim\":8}}");
    gateway.awaitState(chat, "READY", READY);
    gateway.awaitState(embed, "READY", READY);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  @Test
  void chatExampleAnswers() {
    Run run = example("ChatExample", Map.of(), gateway.url(), "hello examples");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output())
        .containsPattern("model: +\\S+")
        .containsPattern("engine: +\\S+")
        .containsPattern("answer: \\S+")
        .contains("tokens: ");
  }

  @Test
  void examplesTakeTheGatewayFromTheEnvironment() {
    Run run = example("ChatExample", Map.of("SAGE_GATEWAY_URL", gateway.url() + "/v1"));
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).containsPattern("answer: \\S+");

    Run nowhere =
        example("ChatExample", Map.of("SAGE_GATEWAY_URL", "http://127.0.0.1:" + Ports.free()));
    assertThat(nowhere.exitCode()).isEqualTo(1);
    assertThat(nowhere.output()).contains("ChatExample failed").contains("cannot connect");
  }

  @Test
  void streamingExamplePrintsDeltas() {
    Run run = example("StreamingChatExample", Map.of(), gateway.url(), "stream please");
    assertThat(run.exitCode()).as(run.output()).isZero();
    Matcher deltas = Pattern.compile("\\((\\d+) deltas in \\d+ ms\\)").matcher(run.output());
    assertThat(deltas.find()).as(run.output()).isTrue();
    assertThat(Integer.parseInt(deltas.group(1))).isGreaterThan(1);
  }

  @Test
  void embeddingsExampleComparesEveryPair() {
    Run run = example("EmbeddingsExample", Map.of(), gateway.url());
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("4 vectors of dimension 8");
    assertThat(run.output().lines().filter(l -> l.matches("cosine -?[01]\\.\\d{4} .*"))).hasSize(6);
  }

  @Test
  void startEngineExampleWaitsUntilReady() {
    Run run =
        example(
            "StartEngineExample",
            Map.of("SAGE_API_KEY", gateway.adminKey()),
            gateway.url(),
            "example-started",
            "mock");
    assertThat(run.exitCode()).as(run.output()).isZero();
    Matcher started = Pattern.compile("started engine (\\S+)").matcher(run.output());
    assertThat(started.find()).as(run.output()).isTrue();
    assertThat(run.output())
        .contains("READY at http://127.0.0.1:")
        .contains("serving example-started");
    assertThat(gateway.engine(started.group(1)).get("state").asText()).isEqualTo("READY");
  }

  @Test
  void echoPluginBuiltOnlyAgainstTheSpiServesChat() {
    JsonNode plugins = gateway.get("/v1/management/plugins").json().get("plugins");
    JsonNode echo = null;
    for (JsonNode plugin : plugins) {
      if (plugin.get("id").asText().equals("example-echo")) {
        echo = plugin;
      }
    }
    assertThat(echo).as(plugins.toString()).isNotNull();
    assertThat(echo.get("error").isNull()).as(echo.toString()).isTrue();

    String id = gateway.startEngine("{\"model\":\"echo-model\",\"runtime\":\"echo\"}");
    gateway.awaitState(id, "READY", READY);
    Http.Response reply =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"echo-model\",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"echo \\\"this\\\" please\"}]}");
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.header("x-sage-engine-id")).isEqualTo(id);
    assertThat(reply.json().at("/choices/0/message/content").asText())
        .isEqualTo("echo \"this\" please");

    Http.Response stream =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"echo-model\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"one two\"}]}");
    assertThat(stream.body()).contains("\"content\":\"one \"").contains("data: [DONE]");

    Http.Response invalid =
        gateway.post(
            "/v1/management/engines",
            "{\"model\":\"echo-model\",\"runtime\":\"echo\",\"options\":{\"nope\":1}}");
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.body()).contains("the echo runtime takes no options");
  }

  record Run(int exitCode, String output) {}

  /**
   * Runs {@code io.sage.examples.<name>} in a JVM of its own with only the examples' class path.
   */
  static Run example(String name, Map<String, String> env, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                exampleClassPath(),
                "io.sage.examples." + name));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("SAGE_GATEWAY_URL");
    builder.environment().remove("SAGE_API_KEY");
    builder.environment().putAll(env);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            name + " did not finish:\n" + new String(output, StandardCharsets.UTF_8));
      }
      return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The examples, the SDK and Jackson, taken from this test's class path; nothing else. */
  static String exampleClassPath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String normalized = entry.replace(File.separatorChar, '/');
      String file = Path.of(entry).getFileName().toString();
      if (file.startsWith("sage-examples-clients")
          || normalized.contains("examples/clients/target")
          || file.startsWith("sage-client")
          || normalized.endsWith("/client/target/classes")
          || file.startsWith("jackson-core")
          || file.startsWith("jackson-databind")
          || file.startsWith("jackson-annotations")) {
        entries.add(entry);
      }
    }
    assertThat(entries)
        .as("examples, client and jackson on the test class path")
        .hasSizeGreaterThanOrEqualTo(5);
    return String.join(File.pathSeparator, entries);
  }

  static Path testClassPathEntry(String artifact, String moduleDir) {
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String normalized = entry.replace(File.separatorChar, '/');
      if (Path.of(entry).getFileName().toString().startsWith(artifact)
          || normalized.contains(moduleDir + "/target")) {
        return Path.of(entry);
      }
    }
    throw new AssertionError(
        artifact + " is not on the test class path: " + System.getProperty("java.class.path"));
  }
}

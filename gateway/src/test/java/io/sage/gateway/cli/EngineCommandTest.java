package io.sage.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ENGINES = "GET /v1/management/engines";
  private FakeGateway gateway;
  private Map<String, String> env;

  @BeforeEach
  void start() throws IOException {
    gateway = new FakeGateway();
    env = Map.of("SAGE_GATEWAY_URL", gateway.url());
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void listPrintsAlignedTableAndJsonPrintsTheAnswer() throws IOException {
    String body =
        "{\"engines\":["
            + FakeGateway.engine("eng-a", "READY", null)
            + ","
            + FakeGateway.engine("eng-bbbbbbbb", "ERROR", "boom")
            + "],\"count\":2}";
    gateway.json(ENGINES, 200, body);

    CliRun table = CliRun.run(env, "llm", "engine", "list");
    assertThat(table.exitCode()).as(table.err()).isZero();
    String[] lines = table.out().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).startsWith("ID").contains("MODEL", "STATE", "PORT");
    assertThat(lines[1].indexOf("READY"))
        .isEqualTo(lines[2].indexOf("ERROR"))
        .isEqualTo(lines[0].indexOf("STATE"));
    assertThat(table.out()).doesNotContain("\u001B[");

    CliRun json = CliRun.run(env, "llm", "engine", "list", "--json");
    assertThat(JSON.readTree(json.out())).isEqualTo(JSON.readTree(body));
  }

  @Test
  void statesAreColouredOnlyOnAColourTerminal() {
    gateway.json(
        ENGINES,
        200,
        "{\"engines\":[" + FakeGateway.engine("eng-a", "READY", null) + "],\"count\":1}");
    assertThat(CliRun.run(env, true, "llm", "engine", "list").out()).contains("\u001B[32mREADY");
    Map<String, String> noColour = Map.of("SAGE_GATEWAY_URL", gateway.url(), "NO_COLOR", "1");
    assertThat(CliRun.run(noColour, true, "llm", "engine", "list").out()).doesNotContain("\u001B[");
  }

  @Test
  void unknownEngineExitsOneWithTheGatewaysMessage() {
    gateway.json(
        "GET /v1/management/engines/eng-x",
        404,
        FakeGateway.error("engine 'eng-x' not found", "not_found"));
    CliRun show = CliRun.run(env, "llm", "engine", "show", "eng-x");
    assertThat(show.exitCode()).isEqualTo(1);
    assertThat(show.err()).contains("engine 'eng-x' not found");
  }

  @Test
  void unreachableGatewayExitsThreeNamingUrlAndHowToStartIt() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    CliRun run =
        CliRun.run(Map.of(), "llm", "engine", "list", "--gateway", "http://127.0.0.1:" + port);
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err())
        .contains("http://127.0.0.1:" + port)
        .contains("connection refused")
        .contains("sage gateway start");
  }

  @Test
  void apiKeyComesFromTheFlagThenTheEnvironmentThenTheAdminKeyFile(@TempDir Path dataDir)
      throws IOException {
    gateway.json(ENGINES, 200, "{\"engines\":[],\"count\":0}");
    Files.writeString(dataDir.resolve("admin.key"), "sk-admin-file\n");
    CliRun.run(env, "llm", "engine", "list", "--data-dir", dataDir.toString());
    CliRun.run(
        Map.of("SAGE_GATEWAY_URL", gateway.url(), "SAGE_HOME", dataDir.toString()),
        "llm",
        "engine",
        "list");
    CliRun.run(
        Map.of("SAGE_GATEWAY_URL", gateway.url(), "SAGE_API_KEY", "sk-env"),
        "llm",
        "engine",
        "list",
        "--data-dir",
        dataDir.toString());
    CliRun.run(
        env, "llm", "engine", "list", "--api-key", "sk-flag", "--data-dir", dataDir.toString());
    CliRun none = CliRun.run(env, "llm", "engine", "list");
    assertThat(gateway.requests)
        .extracting(FakeGateway.Request::authorization)
        .containsExactly(
            "Bearer sk-admin-file",
            "Bearer sk-admin-file",
            "Bearer sk-env",
            "Bearer sk-flag",
            null);
    assertThat(none.out()).contains("no engines");
  }

  @Test
  void startSendsTheSpecWithOptionsAsStringsAndFollowsUntilReady() throws IOException {
    gateway.json("POST /v1/management/engines", 202, FakeGateway.engine("eng-s", "STARTING", null));
    gateway.json(
        "GET /v1/management/engines/eng-s",
        200,
        FakeGateway.engine("eng-s", "STARTING", null),
        FakeGateway.engine("eng-s", "STARTING", null),
        FakeGateway.engine("eng-s", "READY", null));
    gateway.text("GET /v1/management/engines/eng-s/logs?tail=1", "mock engine listening\n");

    CliRun run =
        CliRun.run(
            env,
            "llm",
            "engine",
            "start",
            "m1",
            "--runtime",
            "mock",
            "--option",
            "latency_ms=5",
            "--option",
            "restart_policy=never",
            "--gpu",
            "0,1",
            "--tp",
            "2",
            "--label",
            "demo",
            "--extra-arg=--x=1");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode sent = JSON.readTree(gateway.requests.get(0).body());
    assertThat(sent.get("model").asText()).isEqualTo("m1");
    assertThat(sent.get("options").get("latency_ms").isTextual()).isTrue();
    assertThat(sent.get("options").get("restart_policy").asText()).isEqualTo("never");
    assertThat(sent.get("gpu_ids").toString()).isEqualTo("[0,1]");
    assertThat(sent.get("tensor_parallel_size").asInt()).isEqualTo(2);
    assertThat(sent.get("extra_args").toString()).isEqualTo("[\"--x=1\"]");
    // piped: one line per change (STARTING twice with the same log line prints once), no carriage
    // returns
    assertThat(run.out()).doesNotContain("\r");
    assertThat(run.out().lines().filter(l -> l.startsWith("engine eng-s STARTING"))).hasSize(1);
    assertThat(run.out())
        .contains("| mock engine listening")
        .contains("engine eng-s READY after")
        .contains("url:")
        .contains("http://127.0.0.1:41001");
  }

  @Test
  void startOnATerminalRedrawsOneLineInPlace() {
    gateway.json("POST /v1/management/engines", 202, FakeGateway.engine("eng-t", "STARTING", null));
    gateway.json(
        "GET /v1/management/engines/eng-t",
        200,
        FakeGateway.engine("eng-t", "STARTING", null),
        FakeGateway.engine("eng-t", "READY", null));
    gateway.text("GET /v1/management/engines/eng-t/logs?tail=1", "loading\n");
    CliRun run = CliRun.run(env, true, "llm", "engine", "start", "m1");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("\rengine eng-t ").contains("\u001B[32mREADY\u001B[0m after");
  }

  @Test
  void startThatGoesToErrorExitsOneWithReasonAndLogLines() {
    gateway.json("POST /v1/management/engines", 202, FakeGateway.engine("eng-e", "STARTING", null));
    gateway.json(
        "GET /v1/management/engines/eng-e",
        200,
        FakeGateway.engine("eng-e", "ERROR", "startup timeout after 3 s"));
    gateway.text("GET /v1/management/engines/eng-e/logs?tail=1", "health now failing\n");
    gateway.text("GET /v1/management/engines/eng-e/logs?tail=10", "line one\nhealth now failing\n");
    CliRun run = CliRun.run(env, "llm", "engine", "start", "m1");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("went to ERROR: startup timeout after 3 s")
        .contains("  line one")
        .contains("  health now failing");
  }

  @Test
  void startNoWaitPrintsTheIdAtOnce() throws IOException {
    gateway.json("POST /v1/management/engines", 202, FakeGateway.engine("eng-n", "STARTING", null));
    CliRun run = CliRun.run(env, "llm", "engine", "start", "m1", "--no-wait");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("eng-n").contains("STARTING");
    assertThat(gateway.requests).hasSize(1);
    CliRun json = CliRun.run(env, "llm", "engine", "start", "m1", "--no-wait", "--json");
    assertThat(JSON.readTree(json.out()).get("id").asText()).isEqualTo("eng-n");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(CliRun.run(env, "llm", "engine", "start", "m1", "--gpu", "0", "--no-gpu").exitCode())
        .isEqualTo(2);
    assertThat(CliRun.run(env, "llm", "engine", "start", "m1", "--engine-kind", "image").exitCode())
        .isEqualTo(2);
    assertThat(CliRun.run(env, "llm", "engine", "start", "m1", "--option", "novalue").exitCode())
        .isEqualTo(2);
    assertThat(CliRun.run(env, "llm", "engine", "show").exitCode()).isEqualTo(2);
    assertThat(CliRun.run(env, "llm", "engine", "bogus").exitCode()).isEqualTo(2);
    assertThat(CliRun.run(env, "llm", "engine", "register", "m", "--url", "ftp://x").exitCode())
        .isEqualTo(2);
    assertThat(CliRun.run(env, "llm", "engine", "list", "--gateway", "not a url").exitCode())
        .isEqualTo(2);
    assertThat(gateway.requests).isEmpty();
  }

  @Test
  void stopWaitsByDefaultAndPassesDrainSettings() {
    gateway.json(
        "POST /v1/management/engines/eng-a/stop?drain=false&drain_timeout=2.5&wait=true",
        200,
        FakeGateway.engine("eng-a", "STOPPED", null));
    CliRun run =
        CliRun.run(env, "llm", "engine", "stop", "eng-a", "--no-drain", "--drain-timeout", "2.5");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("engine eng-a (m1) STOPPED");
  }

  @Test
  void restartRemoveRegisterEventsLogsAndGpu() {
    gateway.json(
        "POST /v1/management/engines/eng-a/restart",
        202,
        FakeGateway.engine("eng-a", "STARTING", null));
    assertThat(CliRun.run(env, "llm", "engine", "restart", "eng-a", "--no-wait").out())
        .contains("restarted engine eng-a");

    gateway.json(
        "DELETE /v1/management/engines/eng-a?purge=true",
        200,
        FakeGateway.engine("eng-a", "STOPPED", null));
    assertThat(CliRun.run(env, "llm", "engine", "remove", "eng-a").out())
        .contains("removed engine eng-a");

    gateway.json(
        "POST /v1/management/engines/register", 201, FakeGateway.engine("eng-r", "STARTING", null));
    CliRun register =
        CliRun.run(env, "llm", "engine", "register", "m1", "--url", "http://10.0.0.5:8001");
    assertThat(register.out()).contains("registered engine eng-r");
    assertThat(gateway.requests.get(gateway.requests.size() - 1).body())
        .contains("\"base_url\":\"http://10.0.0.5:8001\"")
        .contains("\"engine_kind\":\"llm\"");

    gateway.json(
        "GET /v1/management/engines/eng-a/events",
        200,
        "{\"engine_id\":\"eng-a\",\"events\":["
            + "{\"id\":2,\"engine_id\":\"eng-a\",\"from\":\"STARTING\",\"to\":\"READY\",\"reason\":\"health ok\","
            + "\"at\":\"2025-01-01T00:00:02Z\"},{\"id\":1,\"engine_id\":\"eng-a\",\"from\":null,\"to\":\"STARTING\","
            + "\"reason\":\"launched\",\"at\":\"2025-01-01T00:00:01Z\"}],\"count\":2}");
    CliRun events = CliRun.run(env, "llm", "engine", "events", "eng-a");
    assertThat(events.out().lines()).hasSize(3);
    assertThat(events.out())
        .contains("(new)")
        .contains("health ok")
        .contains("2025-01-01T00:00:02Z");

    gateway.text("GET /v1/management/engines/eng-a/logs?tail=3", "a\nb\nc\n");
    assertThat(CliRun.run(env, "llm", "engine", "logs", "eng-a", "-n", "3").out())
        .isEqualTo("a\nb\nc\n");

    gateway.json(
        "GET /v1/management/gpu",
        200,
        "{\"provider\":\"fake\",\"status\":\"2 fake GPUs\",\"gpus\":[{\"index\":0,"
            + "\"uuid\":\"GPU-0\",\"name\":\"Fake H100\",\"memory_total_mib\":81920,\"memory_used_mib\":1024,"
            + "\"memory_free_mib\":80896,\"memory_reserved_mib\":0,\"utilization_pct\":7,\"temperature_c\":null,"
            + "\"power_w\":null,\"engine_ids\":[\"eng-a\"]}]}");
    CliRun gpu = CliRun.run(env, "llm", "gpu");
    assertThat(gpu.out())
        .contains("provider: fake (2 fake GPUs)")
        .contains("Fake H100")
        .contains("1024 MiB / 81920 MiB")
        .contains("7%")
        .contains("eng-a");
  }
}

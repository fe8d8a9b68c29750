package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: every {@code sage llm} command through the real {@code bin/sage} against a real gateway
 * and real mock engines, checking output and exit codes, failure paths included. Output is piped
 * here, so it must be plain (no colour, no carriage returns).
 */
class CliIT {
  private static final Pattern ENGINE_ID = Pattern.compile("engine (eng-[0-9A-Za-z-]+)");
  private static final String UNKNOWN = "eng-000000000000";

  @TempDir static Path dataDir;
  static Gateway gateway;
  static Map<String, String> env;

  @BeforeAll
  static void start() {
    gateway = Gateway.start(dataDir);
    env = Map.of("SAGE_GATEWAY_URL", gateway.url(), "SAGE_HOME", dataDir.toString());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).as("engine processes left after gateway stop").isZero();
  }

  @Test
  void engineLifecycleThroughEveryCommand() throws IOException {
    Sage.Result start =
        sage(
            "llm",
            "engine",
            "start",
            "cli-model",
            "--runtime",
            "mock",
            "--label",
            "cli",
            "--option",
            "latency_ms=5");
    assertThat(start.exitCode()).as(start.all()).isZero();
    String id = engineId(start.stdout());
    assertThat(start.stdout())
        .doesNotContain("\r")
        .doesNotContain("\u001B[")
        .contains("engine " + id + " STARTING")
        .contains("engine " + id + " READY after")
        .contains("model:")
        .contains("cli-model")
        .contains("url:");
    assertThat(gateway.engine(id).get("options").get("latency_ms").asText()).isEqualTo("5");

    Sage.Result list = sage("llm", "engine", "list");
    assertThat(list.exitCode()).isZero();
    String header = list.stdout().lines().findFirst().orElseThrow();
    String row = list.stdout().lines().filter(l -> l.startsWith(id)).findFirst().orElseThrow();
    assertThat(header).startsWith("ID").contains("MODEL", "STATE");
    assertThat(row.indexOf("READY")).isEqualTo(header.indexOf("STATE"));
    assertThat(row).contains("cli-model", "mock", "cli");
    JsonNode listJson = json(sage("llm", "engine", "list", "--json"));
    JsonNode api = gateway.get("/v1/management/engines").json();
    assertThat(listJson.get("count")).isEqualTo(api.get("count"));
    assertThat(ids(listJson)).isEqualTo(ids(api));

    Sage.Result show = sage("llm", "engine", "show", id);
    assertThat(show.exitCode()).isZero();
    assertThat(show.stdout())
        .contains("id:", id, "state:", "READY", "runtime:", "mock", "options:", "latency_ms=5");
    JsonNode showJson = json(sage("llm", "engine", "show", id, "--json"));
    assertThat(showJson.get("id").asText()).isEqualTo(id);
    assertThat(showJson.get("base_url")).isEqualTo(gateway.engine(id).get("base_url"));

    Sage.Result events = sage("llm", "engine", "events", id);
    assertThat(events.exitCode()).isZero();
    assertThat(events.stdout().lines().findFirst().orElseThrow())
        .contains("AT", "FROM", "TO", "REASON");
    assertThat(events.stdout()).contains("(new)", "STARTING", "READY");
    assertThat(json(sage("llm", "engine", "events", id, "--json")).get("events"))
        .isEqualTo(gateway.get("/v1/management/engines/" + id + "/events").json().get("events"));

    Sage.Result logs = sage("llm", "engine", "logs", id, "-n", "5");
    assertThat(logs.exitCode()).as(logs.all()).isZero();
    assertThat(logs.stdout()).contains("listening");
    assertThat(logs.stdout().lines().count()).isBetween(1L, 5L);

    Sage.Result stop = sage("llm", "engine", "stop", id, "--drain-timeout", "2");
    assertThat(stop.exitCode()).as(stop.all()).isZero();
    assertThat(stop.stdout()).contains("engine " + id + " (cli-model) STOPPED");
    assertThat(gateway.engine(id).get("state").asText()).isEqualTo("STOPPED");

    Sage.Result stopAgain = sage("llm", "engine", "stop", id);
    assertThat(stopAgain.exitCode()).isEqualTo(1);
    assertThat(stopAgain.stderr()).startsWith("error: ").contains("STOPPED");

    Sage.Result restart = sage("llm", "engine", "restart", id);
    assertThat(restart.exitCode()).as(restart.all()).isZero();
    assertThat(restart.stdout()).contains("restarted engine " + id).contains("READY after");
    assertThat(gateway.engine(id).get("state").asText()).isEqualTo("READY");

    Sage.Result removeReady = sage("llm", "engine", "remove", id);
    assertThat(removeReady.exitCode()).isEqualTo(1);
    assertThat(removeReady.stderr()).contains("READY");

    JsonNode stopped = json(sage("llm", "engine", "stop", id, "--no-drain", "--json"));
    assertThat(stopped.get("state").asText()).isEqualTo("STOPPED");
    Sage.Result remove = sage("llm", "engine", "remove", id);
    assertThat(remove.exitCode()).as(remove.all()).isZero();
    assertThat(remove.stdout()).contains("removed engine " + id);
    assertThat(gateway.get("/v1/management/engines/" + id).status()).isEqualTo(404);
  }

  @Test
  void startNoWaitReturnsAtOnceWithTheId() {
    Sage.Result start =
        sage("llm", "engine", "start", "nowait-model", "--runtime", "mock", "--no-wait");
    assertThat(start.exitCode()).as(start.all()).isZero();
    String id = engineId(start.stdout());
    assertThat(start.stdout()).contains("STARTING").doesNotContain("READY after");
    assertThat(gateway.engine(id).get("model").asText()).isEqualTo("nowait-model");

    JsonNode second =
        json(
            sage(
                "llm",
                "engine",
                "start",
                "nowait-model",
                "--runtime",
                "mock",
                "--no-wait",
                "--json"));
    assertThat(second.get("state").asText()).isEqualTo("STARTING");
    for (String engine : List.of(id, second.get("id").asText())) {
      gateway.awaitState(engine, "READY", Duration.ofSeconds(30));
      assertThat(
              gateway
                  .post("/v1/management/engines/" + engine + "/stop?drain=false&wait=true", "")
                  .status())
          .isEqualTo(200);
    }
  }

  @Test
  void registerAddsARemoteEngine() {
    int nobody = Ports.free();
    Sage.Result register =
        sage("llm", "engine", "register", "remote-model", "--url", "http://127.0.0.1:" + nobody);
    assertThat(register.exitCode()).as(register.all()).isZero();
    String id = engineId(register.stdout());
    assertThat(register.stdout())
        .contains("registered engine " + id)
        .contains("http://127.0.0.1:" + nobody);
    JsonNode engine = gateway.engine(id);
    assertThat(engine.get("runtime").asText()).isEqualTo("remote");
    assertThat(engine.get("engine_kind").asText()).isEqualTo("llm");
    assertThat(sage("llm", "engine", "stop", id, "--no-drain").exitCode()).isZero();
    assertThat(sage("llm", "engine", "remove", id).exitCode()).isZero();
  }

  @Test
  void gpuShowsTheProvider() {
    Sage.Result gpu = sage("llm", "gpu");
    assertThat(gpu.exitCode()).as(gpu.all()).isZero();
    JsonNode api = gateway.get("/v1/management/gpu").json();
    assertThat(gpu.stdout()).startsWith("provider: " + api.get("provider").asText());
    assertThat(json(sage("llm", "gpu", "--json"))).isEqualTo(api);
  }

  @Test
  void unknownEngineIdExitsOneWithTheGatewaysMessage() {
    String message =
        gateway.get("/v1/management/engines/" + UNKNOWN).json().at("/error/message").asText();
    assertThat(message).contains(UNKNOWN);
    for (List<String> command :
        List.of(
            List.of("show"),
            List.of("stop"),
            List.of("restart"),
            List.of("events"),
            List.of("logs"),
            List.of("remove"))) {
      List<String> args = new ArrayList<>(List.of("llm", "engine"));
      args.addAll(command);
      args.add(UNKNOWN);
      Sage.Result result = sage(args.toArray(String[]::new));
      assertThat(result.exitCode()).as(String.join(" ", args) + ": " + result.all()).isEqualTo(1);
      assertThat(result.stderr()).as(String.join(" ", args)).contains(message);
    }
  }

  @Test
  void unreachableGatewayExitsThreeWithTheUrlAndHowToStartIt() {
    String url = "http://127.0.0.1:" + Ports.free();
    for (String[] command :
        List.of(
            new String[] {"llm", "engine", "list"},
            new String[] {"llm", "gpu"},
            new String[] {"llm", "engine", "start", "m", "--runtime", "mock"},
            new String[] {"llm", "engine", "show", "x"})) {
      Sage.Result result = Sage.run(Map.of("SAGE_GATEWAY_URL", url), command);
      assertThat(result.exitCode()).as(result.all()).isEqualTo(3);
      assertThat(result.stderr()).contains(url).contains("sage gateway start");
    }
    Sage.Result flag = Sage.run(Map.of(), "llm", "engine", "list", "--gateway", url);
    assertThat(flag.exitCode()).isEqualTo(3);
    assertThat(flag.stderr()).contains(url);
  }

  @Test
  void usageErrorsExitTwoAndEveryCommandHasHelpWithExamples() {
    assertThat(sage("llm", "engine", "start").exitCode()).isEqualTo(2);
    assertThat(sage("llm", "engine", "start", "m", "--gpu", "0", "--no-gpu").exitCode())
        .isEqualTo(2);
    assertThat(sage("llm", "engine", "nonsense").exitCode()).isEqualTo(2);
    assertThat(sage("llm", "engine", "logs", "x", "-n", "many").exitCode()).isEqualTo(2);
    for (String command :
        List.of(
            "list", "start", "stop", "restart", "show", "events", "logs", "register", "remove")) {
      Sage.Result help = sage("llm", "engine", command, "--help");
      assertThat(help.exitCode()).isZero();
      assertThat(help.stdout())
          .as(command)
          .contains("Usage: sage llm engine " + command)
          .contains("Examples:")
          .contains("--gateway")
          .contains("--json");
    }
    assertThat(sage("llm", "gpu", "--help").stdout()).contains("Examples:");
  }

  @Test
  void gatewayStartOnABusyPortExitsOneWithTheReason(@TempDir Path otherDataDir) throws IOException {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      Sage.Result result =
          Sage.run(
              Map.of(),
              "gateway",
              "start",
              "--port",
              Integer.toString(port),
              "--data-dir",
              otherDataDir.toString());
      assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
      assertThat(result.stderr()).contains("port " + port).contains("already in use");
    }
  }

  @Test
  void engineThatGoesToErrorDuringStartExitsOneWithReasonAndLogLines(@TempDir Path failingDataDir) {
    try (Gateway failing =
        Gateway.start(failingDataDir, Map.of("SAGE_STARTUP_TIMEOUT_MOCK", "3s"))) {
      // TODO(issue 2): add --option restart_policy=never once the supervisor stops handing that
      // host option to
      // the mock runtime (it fails the launch as unknown); meanwhile the CLI stops at the engine's
      // first ERROR
      Sage.Result start =
          Sage.run(
              Map.of("SAGE_GATEWAY_URL", failing.url(), "SAGE_HOME", failingDataDir.toString()),
              "llm",
              "engine",
              "start",
              "doomed",
              "--runtime",
              "mock",
              "--option",
              "fail_health_after_s=0");
      assertThat(start.exitCode()).as(start.all()).isEqualTo(1);
      String id = engineId(start.stdout());
      assertThat(start.stdout())
          .as(start.all())
          .contains("engine " + id + " STARTING")
          .contains("engine " + id + " ERROR");
      List<String> reasons = new ArrayList<>();
      failing
          .get("/v1/management/engines/" + id + "/events")
          .json()
          .get("events")
          .forEach(
              e -> {
                if ("ERROR".equals(e.get("to").asText())) {
                  reasons.add(e.get("reason").asText());
                }
              });
      assertThat(reasons).isNotEmpty();
      assertThat(start.stderr())
          .as(start.all())
          .contains("engine " + id + " (doomed) went to ERROR: ")
          .contains("last log lines of engine " + id + ":")
          .contains("listening");
      assertThat(reasons).anyMatch(reason -> start.stderr().contains("went to ERROR: " + reason));
    } finally {
      Leftovers.killAll(failingDataDir);
    }
  }

  private static Sage.Result sage(String... args) {
    return Sage.run(env, args);
  }

  private static String engineId(String output) {
    Matcher matcher = ENGINE_ID.matcher(output);
    assertThat(matcher.find()).as("an engine id in: " + output).isTrue();
    return matcher.group(1);
  }

  private static JsonNode json(Sage.Result result) {
    assertThat(result.exitCode()).as(result.all()).isZero();
    try {
      return Http.JSON.readTree(result.stdout());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + result.stdout(), e);
    }
  }

  private static List<String> ids(JsonNode list) {
    List<String> ids = new ArrayList<>();
    list.get("engines").forEach(e -> ids.add(e.get("id").asText()));
    return ids;
  }
}

package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's remaining rules through the real gateway: on-demand models of one group that each need
 * most of the one fake GPU (the gpu-fake plugin) are served by the real vllm plugin launching real
 * mock engine processes (a stand-in {@code vllm}); the GPU placement that finds no room drains the
 * other model's idle engine, never one with requests in flight, and without anything to give up the
 * answer is a 503 with what was needed and what is free. Also: a key over its limit is refused
 * before it waits for (or launches) a cold engine, and an API model naming a group the file does
 * not declare is a 400 that changes nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GpuRoomIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  @TempDir static Path dataDir;
  @TempDir static Path tools;
  static Gateway gateway;

  static String big(String name, String group) {
    return "  "
        + name
        + ":\n"
        + "    model: org/"
        + name
        + "-weights\n"
        + "    runtime: vllm\n"
        + "    on_demand: true\n"
        + "    gpu: 1\n"
        + (group == null ? "" : "    group: " + group + "\n")
        + "    options: {gpu_memory_gb: 60}\n";
  }

  static final String TRIO =
      "  trio:\n    model: trio-weights\n    runtime: mock\n    replicas: 3\n";

  /** The config file, with {@code trio} as given. */
  static String file(int first, String trio) {
    return "engines:\n  port-range-start: "
        + first
        + "\n  port-range-end: "
        + (first + 40)
        + "\nmodels:\n"
        + big("alpha", "big")
        + big("beta", "big")
        + big("gamma", null)
        + "  first:\n"
        + "    model: first-weights\n"
        + "    runtime: mock\n"
        + "    on_demand: true\n"
        + "  cold:\n"
        + "    model: cold-weights\n"
        + "    runtime: mock\n"
        + "    on_demand: true\n"
        + "    options: {startup_delay_s: 30}\n"
        + trio
        + "groups:\n"
        + "  big:\n"
        + "    max_loaded: 2\n";
  }

  static int firstPort;

  @BeforeAll
  static void start() throws IOException {
    Path gpus = tools.resolve("gpus.json");
    Files.writeString(
        gpus,
        "[{\"index\": 0, \"name\": \"Fake H100\", \"uuid\": \"GPU-fake-0\","
            + " \"memory_total_mib\": 81920, \"memory_used_mib\": 1024, \"utilization_pct\": 0}]");
    firstPort = Ports.free();
    Files.writeString(dataDir.resolve("sage.yml"), file(firstPort, TRIO));
    gateway =
        Gateway.start(
            dataDir,
            Map.of(
                "SAGE_GPU_FAKE",
                gpus.toString(),
                // 20 tokens a second: a 100-token stream stays in flight for 5 s
                "SAGE_VLLM_COMMAND",
                VllmPlacementIT.writeStandIn(tools, "--option tokens_per_second=20").toString(),
                "SAGE_HEALTH_INTERVAL",
                "500ms",
                "SAGE_STOP_GRACE_PERIOD",
                "2s"));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    assertThat(Leftovers.killAll(dataDir)).as("processes left behind").isZero();
  }

  static String chat(String model, boolean stream, int maxTokens) {
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + stream
        + ",\"max_tokens\":"
        + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  static HttpRequest request(String body) {
    return Http.withKey(
        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  static List<String> engines(String model) {
    List<String> ids = new ArrayList<>();
    for (JsonNode e : gateway.get("/v1/management/engines").json().path("engines")) {
      if (model.equals(e.path("served_model_name").asText())) {
        ids.add(e.path("id").asText());
      }
    }
    return ids;
  }

  static String state(String engineId) {
    return gateway.engine(engineId).path("state").asText();
  }

  static String events(String engineId) {
    return gateway.get("/v1/management/engines/" + engineId + "/events").body();
  }

  @Test
  @Order(1)
  void alternatingRequestsToTwoModelsOfOneGroupDrainTheOtherAndNoneFails() {
    List<Integer> statuses = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (String model : List.of("alpha", "beta")) {
        Http.Response answer = post(chat(model, false, 2));
        assertThat(answer.status())
            .as(model + " round " + round + ": " + answer.body())
            .isEqualTo(200);
        statuses.add(answer.status());
        assertThat(answer.json().path("choices").size()).isEqualTo(1);
      }
    }
    assertThat(statuses).hasSize(6).containsOnly(200);
    // one engine each, restarted on every swap; the one not asked last was drained for the other
    assertThat(engines("alpha")).hasSize(1);
    assertThat(engines("beta")).hasSize(1);
    String alpha = engines("alpha").get(0);
    String beta = engines("beta").get(0);
    gateway.awaitState(alpha, "STOPPED", WAIT);
    assertThat(state(beta)).isEqualTo("READY");
    assertThat(events(alpha))
        .contains("making room on the GPUs for beta (group big)")
        .contains("needs 1 GPU(s) with 61440 MiB free each");
    assertThat(events(beta)).contains("making room on the GPUs for alpha (group big)");
    JsonNode gpu = gateway.get("/v1/management/gpu").json().path("gpus").get(0);
    assertThat(gpu.path("memory_reserved_mib").asLong()).isEqualTo(61440);
    assertThat(gpu.path("engine_ids")).hasToString("[\"" + beta + "\"]");
  }

  @Test
  @Order(2)
  void anEngineWithARequestInFlightIsNotDrainedTheNewcomerWaitsForIt() throws Exception {
    String beta = engines("beta").get(0);
    assertThat(state(beta)).isEqualTo("READY");
    CompletableFuture<HttpResponse<String>> stream =
        Http.client()
            .sendAsync(request(chat("beta", true, 100)), HttpResponse.BodyHandlers.ofString());
    Await.until(
        "the beta stream in flight",
        WAIT,
        () -> DeclaredModelsIT.model(gateway, "beta").path("in_flight").asInt() == 1);
    CompletableFuture<HttpResponse<String>> alpha =
        Http.client()
            .sendAsync(request(chat("alpha", false, 2)), HttpResponse.BodyHandlers.ofString());
    Await.until(
        "alpha waiting for room",
        WAIT,
        () -> DeclaredModelsIT.model(gateway, "alpha").path("waiting").asInt() == 1);
    // while the stream runs, beta keeps serving it and alpha waits
    Await.during(
        "beta serving its stream while alpha waits",
        Duration.ofSeconds(1),
        () -> !stream.isDone() && !alpha.isDone() && state(beta).equals("READY"));
    HttpResponse<String> streamed = stream.get();
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.body()).contains("data: [DONE]").doesNotContain("\"error\"");
    HttpResponse<String> served = alpha.get();
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    gateway.awaitState(beta, "STOPPED", WAIT);
    assertThat(events(beta)).contains("making room on the GPUs for alpha (group big)");
  }

  @Test
  @Order(3)
  void withNothingToGiveUpTheAnswerIs503WithWhatWasNeededAndWhatIsFree() {
    String alpha = engines("alpha").get(0);
    assertThat(state(alpha)).isEqualTo("READY");
    Http.Response refused = gateway.post("/v1/chat/completions", chat("gamma", false, 2));
    assertThat(refused.status()).as(refused.body()).isEqualTo(503);
    assertThat(refused.json().at("/error/message").asText())
        .contains("model 'gamma' cannot be started")
        .contains("needs 1 GPU(s) with 61440 MiB free each")
        .contains("free now: GPU0 19456 MiB");
    // gamma is in no group: alpha is not drained for it
    assertThat(state(alpha)).isEqualTo("READY");
  }

  @Test
  @Order(4)
  void aKeyOverItsLimitIsRefusedBeforeItWaitsForAColdEngine() {
    Http.Response created =
        gateway.post(
            "/v1/management/keys",
            "{\"name\":\"one-a-minute\",\"scope\":\"inference\",\"rpm\":1,\"tpm\":100000}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String key = created.json().path("key").asText();
    Http.Response served = as(key, chat("first", false, 2));
    assertThat(served.status()).as(served.body()).isEqualTo(200);
    Http.Response refused = as(key, chat("cold", false, 2));
    assertThat(refused.status()).as(refused.body()).isEqualTo(429);
    assertThat(refused.json().at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(refused.header("Retry-After")).isNotNull();
    // refused before the on-demand wait: nothing was launched for it and nobody waits
    JsonNode cold = DeclaredModelsIT.model(gateway, "cold");
    assertThat(cold.path("state").asText()).isEqualTo("idle");
    assertThat(cold.path("waiting").asInt()).isZero();
    assertThat(engines("cold")).isEmpty();
  }

  @Test
  @Order(5)
  void anApiModelNamingAGroupTheFileDoesNotDeclareIs400AndChangesNothing() {
    List<String> before = declared();
    Http.Response refused =
        Http.send(
            HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/management/models/stray"))
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"m\",\"runtime\":\"mock\",\"on_demand\":true,"
                            + "\"group\":\"nope\"}")));
    assertThat(refused.status()).as(refused.body()).isEqualTo(400);
    assertThat(refused.json().at("/error/param").asText()).isEqualTo("group");
    assertThat(refused.json().at("/error/message").asText())
        .contains("group 'nope' is not declared")
        .contains("only in the config file")
        .contains("declared: big");
    assertThat(gateway.get("/v1/management/models/stray").status()).isEqualTo(404);
    assertThat(declared()).isEqualTo(before).doesNotContain("stray");
  }

  @Test
  @Order(6)
  void loweringMaxWithAChangePlansOneReplaceAndRollsOutWithinTheNewMaxPlusOne() throws Exception {
    Await.until(
        "three trio replicas READY",
        WAIT,
        () -> DeclaredModelsIT.readyEngines(gateway, "trio").size() == 3);
    String next =
        file(
            firstPort,
            "  trio:\n    model: trio-weights\n    runtime: mock\n    replicas: 1\n"
                + "    options: {latency_ms: 1}\n");
    Path nextFile = tools.resolve("next.yml");
    Files.writeString(nextFile, next);
    Sage.Result plan =
        Sage.run(Map.of(), "models", "plan", nextFile.toString(), "--data-dir", dataDir.toString());
    assertThat(plan.exitCode()).as(plan.all()).isZero();
    List<String> lines = plan.stdout().lines().filter(l -> l.contains("trio")).toList();
    assertThat(lines).as(plan.stdout()).hasSize(3);
    assertThat(lines.subList(0, 2))
        .allMatch(
            l ->
                l.startsWith("stop trio (")
                    && l.endsWith(
                        "declaration changed and max replicas is 1 (0 on the new revision, 1"
                            + " replaced): not replaced, drained"));
    assertThat(lines.get(2)).startsWith("replace trio (").contains("declaration changed (revision");
    assertThat(DeclaredModelsIT.readyEngines(gateway, "trio")).hasSize(3);

    List<String> old = DeclaredModelsIT.readyEngines(gateway, "trio");
    Files.writeString(dataDir.resolve("sage.yml"), next);
    int[] most = {0};
    Await.until(
        "the roll-out to one replica of the new revision",
        WAIT,
        () -> {
          List<String> live = DeclaredModelsIT.liveEngines(gateway, "trio");
          // counted once the replacement is launched (the plan drains the surplus before that)
          if (live.stream().allMatch(old::contains)) {
            return false;
          }
          most[0] = Math.max(most[0], live.size());
          return live.size() == 1
              && gateway.engine(live.get(0)).path("state").asText().equals("READY")
              && gateway.engine(live.get(0)).toString().contains("latency_ms");
        });
    assertThat(most[0]).as("replicas at once during the roll-out").isLessThanOrEqualTo(2);
    Sage.Result after = Sage.run(Map.of(), "models", "plan", "--data-dir", dataDir.toString());
    assertThat(after.exitCode()).as(after.all()).isZero();
    assertThat(after.stdout()).contains("no changes");
  }

  /** A chat request; a failure to get an answer at all fails with the gateway log's end. */
  private static Http.Response post(String body) {
    try {
      return gateway.post("/v1/chat/completions", body);
    } catch (IllegalStateException e) {
      List<String> log = gateway.log().lines().toList();
      throw new AssertionError(
          e.getMessage()
              + "; gateway log:\n"
              + String.join("\n", log.subList(Math.max(0, log.size() - 60), log.size())),
          e);
    }
  }

  private static List<String> declared() {
    List<String> names = new ArrayList<>();
    for (JsonNode m : gateway.get("/v1/management/models").json().path("models")) {
      names.add(m.path("name").asText() + " " + m.path("revision").asText());
    }
    return names;
  }

  private static Http.Response as(String key, String body) {
    return Http.send(
        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }
}

package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 3: the OpenAI data plane through the real gateway and real mock engine processes. */
class DataPlaneIT {
  @TempDir static Path dataDir;
  static Gateway gateway;

  @BeforeAll
  static void start() {
    // the product's own JVM flags (C2 included), not the C1-only flag of the other tests' gateways
    gateway = Gateway.start(dataDir, java.util.Map.of("SAGE_GATEWAY_JAVA_OPTS", " "));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  static String chat(String model, boolean stream, int maxTokens) {
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + stream
        + ",\"max_tokens\":"
        + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
  }

  static String engine(String model, String options) {
    return "{\"model\":\"" + model + "\",\"runtime\":\"mock\",\"options\":{" + options + "}}";
  }

  @Test
  void chatCompletionsAndEmbeddingsAreTheEnginesBytes() throws Exception {
    // a mock engine the test runs itself, registered as remote, so the test can ask it directly
    try (DirectMock direct = DirectMock.start("direct-model", dataDir.resolve("direct.log"))) {
      String base = direct.base();
      String id = direct.registerWith(gateway, "direct-model");

      for (String path : List.of("/v1/chat/completions", "/v1/completions")) {
        String body =
            path.contains("chat")
                ? chat("direct-model", false, 7)
                : "{\"model\":\"direct-model\",\"prompt\":\"once upon\",\"max_tokens\":7}";
        Http.Response viaGateway = gateway.post(path, body);
        Http.Response viaEngine = Http.post(base + path, body);
        assertThat(viaGateway.status()).as(viaGateway.body()).isEqualTo(200);
        assertThat(viaGateway.header("x-sage-engine-id")).isEqualTo(id);
        assertThat(normalized(viaGateway.json())).isEqualTo(normalized(viaEngine.json()));
        assertThat(viaGateway.json().at("/usage/completion_tokens").asInt()).isEqualTo(7);
      }
      Http.Response list = gateway.get("/v1/models");
      JsonNode model = null;
      for (JsonNode m : list.json().get("data")) {
        if (m.get("id").asText().equals("direct-model")) {
          model = m;
        }
      }
      assertThat(model).isNotNull();
      assertThat(model.get("engine_kind").asText()).isEqualTo("llm");
      assertThat(model.get("ready_engines").asInt()).isEqualTo(1);
      assertThat(gateway.get("/v1/models/direct-model").json().get("id").asText())
          .isEqualTo("direct-model");
      assertThat(gateway.get("/v1/models/nope").status()).isEqualTo(404);
    }
  }

  private static JsonNode normalized(JsonNode node) {
    ObjectNode copy = node.deepCopy();
    copy.remove("id");
    copy.remove("created");
    return copy;
  }

  @Test
  void embeddingsAreRoutedToEmbeddingEngines() {
    String id =
        gateway.startEngine(
            "{\"model\":\"embed-model\",\"engine_kind\":\"embedding\",\"runtime\":\"mock\","
                + "\"options\":{\"embedding_dim\":8}}");
    gateway.awaitState(id, "READY", Duration.ofSeconds(30));
    Http.Response response =
        gateway.post("/v1/embeddings", "{\"model\":\"embed-model\",\"input\":[\"a\",\"b\"]}");
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    assertThat(response.json().get("data")).hasSize(2);
    assertThat(response.json().at("/data/0/embedding")).hasSize(8);
    Http.Response wrongRoute = gateway.post("/v1/chat/completions", chat("embed-model", false, 2));
    assertThat(wrongRoute.status()).isEqualTo(400);
    assertThat(wrongRoute.json().at("/error/message").asText()).contains("/v1/embeddings");
  }

  @Test
  void streamsArriveEventByEventAndEndWithDone() throws Exception {
    String id = gateway.startEngine(engine("stream-model", "\"tokens_per_second\":20"));
    gateway.awaitState(id, "READY", Duration.ofSeconds(30));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(chat("stream-model", true, 20)))
            .build();
    HttpResponse<InputStream> response =
        Http.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElse(""))
        .startsWith("text/event-stream");
    assertThat(response.headers().firstValue("x-sage-engine-id")).contains(id);
    List<Long> arrivals = new ArrayList<>();
    List<String> events = new ArrayList<>();
    long start = System.nanoTime();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data: ")) {
          events.add(line.substring(6));
          arrivals.add((System.nanoTime() - start) / 1_000_000);
        }
      }
    }
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    assertThat(events.size()).isGreaterThanOrEqualTo(21);
    // at 20 tokens/s the 20 tokens take about 950 ms: relayed as they come, the first arrives long
    // before the last (buffered, they would arrive together; the margin is for a loaded machine,
    // where a pause before the first event bunches the ones behind it)
    assertThat(arrivals.get(arrivals.size() - 1) - arrivals.get(0)).isGreaterThan(400);
    StringBuilder content = new StringBuilder();
    for (String event : events.subList(0, events.size() - 1)) {
      content.append(Http.JSON.readTree(event).at("/choices/0/delta/content").asText(""));
    }
    assertThat(content.toString()).isNotBlank();
  }

  @Test
  void loadSpreadsAcrossTwoEnginesByInFlightCount() throws Exception {
    String a = gateway.startEngine(engine("spread-model", "\"latency_ms\":300"));
    String b = gateway.startEngine(engine("spread-model", "\"latency_ms\":300"));
    gateway.awaitState(a, "READY", Duration.ofSeconds(30));
    gateway.awaitState(b, "READY", Duration.ofSeconds(30));
    Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      futures.add(
          pool.submit(
              () -> {
                Http.Response r =
                    gateway.post("/v1/chat/completions", chat("spread-model", false, 2));
                assertThat(r.status()).isEqualTo(200);
                served
                    .computeIfAbsent(r.header("x-sage-engine-id"), k -> new AtomicInteger())
                    .incrementAndGet();
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    assertThat(served.keySet()).containsExactlyInAnyOrder(a, b);
    assertThat(served.get(a).get()).isBetween(6, 10);
    assertThat(gateway.engine(a).get("active_requests").asInt()).isZero();
  }

  @Test
  void killNineOfOneEngineUnderLoadFailsNoRequest() throws Exception {
    String a = gateway.startEngine(engine("failover-model", "\"latency_ms\":20"));
    String b = gateway.startEngine(engine("failover-model", "\"latency_ms\":20"));
    long pidA = gateway.awaitState(a, "READY", Duration.ofSeconds(30)).get("pid").asLong();
    gateway.awaitState(b, "READY", Duration.ofSeconds(30));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    for (int i = 0; i < 6; i++) {
      pool.submit(
          () -> {
            while (running.get()) {
              Http.Response r =
                  gateway.post("/v1/chat/completions", chat("failover-model", false, 4));
              if (r.status() == 200) {
                ok.incrementAndGet();
              } else {
                failures.add(r.status() + " " + r.body());
              }
            }
          });
    }
    Await.until("load flowing", Duration.ofSeconds(30), () -> ok.get() >= 10);
    ProcessHandle.of(pidA).orElseThrow().destroyForcibly();
    // the load goes on until the gateway has seen engine A die and 20 more requests succeeded
    int okAtKill = ok.get();
    Await.until(
        "engine " + a + " out of READY",
        Duration.ofSeconds(30),
        () -> !gateway.engine(a).get("state").asText().equals("READY"));
    Await.until(
        "20 more answers after the kill", Duration.ofSeconds(30), () -> ok.get() >= okAtKill + 20);
    running.set(false);
    pool.shutdown();
    assertThat(pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThan(20);
    assertThat(gateway.engine(a).get("state").asText()).isIn("ERROR", "STARTING", "READY");
  }

  @Test
  void aStreamCutByEngineDeathEndsWithAnErrorEventAndNoDone() throws Exception {
    String id =
        gateway.startEngine(
            engine("cut-model", "\"tokens_per_second\":5,\"restart_policy\":\"never\""));
    long pid = gateway.awaitState(id, "READY", Duration.ofSeconds(30)).get("pid").asLong();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(chat("cut-model", true, 50)))
            .build();
    HttpResponse<InputStream> response =
        Http.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
    List<String> events = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data: ")) {
          events.add(line.substring(6));
          if (events.size() == 2) {
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
          }
        }
      }
    }
    assertThat(events).doesNotContain("[DONE]");
    assertThat(events.get(events.size() - 1)).contains("\"error\"");
  }

  @Test
  void aClientThatLeavesMidStreamFreesTheEngineSlot() throws Exception {
    String id = gateway.startEngine(engine("leave-model", "\"tokens_per_second\":5"));
    gateway.awaitState(id, "READY", Duration.ofSeconds(30));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(chat("leave-model", true, 100)))
            .build();
    HttpResponse<InputStream> response =
        Http.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = response.body();
    body.read(new byte[64]);
    assertThat(gateway.engine(id).get("active_requests").asInt()).isEqualTo(1);
    body.close();
    gateway.awaitEngine(id, Duration.ofSeconds(10), e -> e.get("active_requests").asInt() == 0);
  }

  @Test
  void errorCasesAnswerWithTheirStatusAndShape() {
    EngineLifecycleIT.expectError(
        gateway.post("/v1/chat/completions", chat("no-such-model", false, 2)), 404);
    assertThat(
            gateway
                .post("/v1/chat/completions", chat("no-such-model", false, 2))
                .json()
                .at("/error/code")
                .asText())
        .isEqualTo("model_not_found");
    EngineLifecycleIT.expectError(gateway.post("/v1/chat/completions", "{\"messages\":[]}"), 400);
    EngineLifecycleIT.expectError(gateway.post("/v1/chat/completions", "{\"model\":"), 400);
    EngineLifecycleIT.expectError(gateway.post("/v1/chat/completions", "[\"model\"]"), 400);
    EngineLifecycleIT.expectError(gateway.post("/v1/chat/completions", "{\"model\":42}"), 400);
    EngineLifecycleIT.expectError(gateway.post("/v1/embeddings", ""), 400);
    String huge = "{\"model\":\"x\",\"prompt\":\"" + "a".repeat(17 * 1024 * 1024) + "\"}";
    EngineLifecycleIT.expectError(gateway.post("/v1/completions", huge), 413);

    String hanging = gateway.startEngine(engine("never-ready", "\"hang_after_s\":0"));
    Http.Response unavailable = gateway.post("/v1/chat/completions", chat("never-ready", false, 2));
    EngineLifecycleIT.expectError(unavailable, 503);
    assertThat(unavailable.header("Retry-After")).isNotNull();
    gateway.post("/v1/management/engines/" + hanging + "/stop?wait=true", "");
    assertThat(gateway.get("/health").status()).isEqualTo(200);
  }
}

package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Declared models served on demand through the real gateway and real mock engines that take {@code
 * startup_delay_s} to load: the first request waits (a stream gets keep-alive comments first), a
 * crowd beyond the queue gets 503 with Retry-After and nobody is lost, a failed load is a 503 with
 * the reason, a client that leaves leaves the queue, and idle models unload and wake.
 */
class OnDemandIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  @TempDir static Path dataDir;
  static Gateway gateway;

  static final String FILE =
      "models:\n"
          + "  cold:\n"
          + "    model: cold-weights\n"
          + "    runtime: mock\n"
          + "    on_demand: true\n"
          + "    options: {startup_delay_s: 3}\n"
          + "  streamy:\n"
          + "    model: streamy-weights\n"
          + "    runtime: mock\n"
          + "    on_demand: true\n"
          + "    options: {startup_delay_s: 3, tokens_per_second: 50}\n"
          + "  crowd:\n"
          + "    model: crowd-weights\n"
          + "    runtime: mock\n"
          + "    on_demand: true\n"
          + "    max_waiting: 256\n"
          + "    options: {startup_delay_s: 8}\n"
          + "  broken:\n"
          + "    model: broken-weights\n"
          + "    runtime: mock\n"
          + "    on_demand: true\n"
          + "    options: {startup_delay_s: 60, startup_timeout_s: 2, restart_policy: never}\n"
          + "  leaver:\n"
          + "    model: leaver-weights\n"
          + "    runtime: mock\n"
          + "    on_demand: true\n"
          + "    options: {startup_delay_s: 20}\n"
          + "  sleepy:\n"
          + "    model: sleepy-weights\n"
          + "    runtime: mock\n"
          + "    on_demand: true\n"
          + "    idle_timeout: 3s\n";

  @BeforeAll
  static void start() throws IOException {
    // engines on ports of their own, away from the default range other gateways on this machine use
    int first = Ports.free();
    Files.writeString(
        dataDir.resolve("sage.yml"),
        "engines:\n  port-range-start: "
            + first
            + "\n  port-range-end: "
            + (first + 40)
            + "\n"
            + FILE);
    gateway = Gateway.start(dataDir);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  static String chat(String model, boolean stream) {
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + stream
        + ",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  static HttpRequest request(String body) {
    return Http.withKey(
        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  static String state(String model) {
    JsonNode m = DeclaredModelsIT.model(gateway, model);
    return m == null ? "absent" : m.path("state").asText();
  }

  @Test
  void theFirstRequestWaitsForTheEngineToLoad() {
    assertThat(state("cold")).isEqualTo("idle");
    long began = System.nanoTime();
    Http.Response answer = gateway.post("/v1/chat/completions", chat("cold", false));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThan(Duration.ofSeconds(3));
    assertThat(answer.json().path("choices").size()).isEqualTo(1);
    assertThat(state("cold")).isEqualTo("running");
  }

  @Test
  void aStreamGetsKeepAliveCommentsWhileTheEngineLoads() throws Exception {
    HttpResponse<java.util.stream.Stream<String>> response =
        Http.client().send(request(chat("streamy", true)), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElse(""))
        .startsWith("text/event-stream");
    List<String> lines = response.body().filter(l -> !l.isEmpty()).collect(Collectors.toList());
    assertThat(lines.get(0)).matches(": loading streamy \\((STARTING|QUEUED), 0 s\\)");
    assertThat(lines.stream().filter(l -> l.startsWith(": loading streamy (")).count())
        .isGreaterThanOrEqualTo(2);
    int firstData = 0;
    while (!lines.get(firstData).startsWith("data: ")) {
      firstData++;
    }
    assertThat(lines.subList(firstData, lines.size())).allMatch(l -> l.startsWith("data: "));
    assertThat(lines.get(lines.size() - 1)).isEqualTo("data: [DONE]");
  }

  @Test
  void threeHundredAtOnceOnAColdModelFillTheQueueAndTheRestGet503() {
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      sent.add(
          Http.client()
              .sendAsync(request(chat("crowd", false)), HttpResponse.BodyHandlers.ofString()));
    }
    List<HttpResponse<String>> answers = sent.stream().map(CompletableFuture::join).toList();
    List<HttpResponse<String>> ok = answers.stream().filter(r -> r.statusCode() == 200).toList();
    List<HttpResponse<String>> busy = answers.stream().filter(r -> r.statusCode() == 503).toList();
    // every request got an answer: served after the load, or told to come back
    assertThat(ok.size() + busy.size()).isEqualTo(300);
    assertThat(ok.size()).isGreaterThanOrEqualTo(256);
    assertThat(busy).isNotEmpty();
    for (HttpResponse<String> refused : busy) {
      assertThat(refused.body()).contains("no_ready_engine").contains("max_waiting 256");
      assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElse("0")))
          .isPositive();
    }
    assertThat(ok).allMatch(r -> r.body().contains("\"choices\""));
  }

  @Test
  void aFailedLoadAnswers503WithTheEnginesReason() {
    Http.Response answer = gateway.post("/v1/chat/completions", chat("broken", false));
    assertThat(answer.status()).as(answer.body()).isEqualTo(503);
    assertThat(answer.json().path("error").path("message").asText())
        .contains("model 'broken' failed to load: startup timeout");
  }

  @Test
  void aClientThatGoesAwayLeavesTheQueue() throws Exception {
    HttpResponse<InputStream> response =
        Http.client()
            .send(request(chat("leaver", true)), HttpResponse.BodyHandlers.ofInputStream());
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    assertThat(reader.readLine()).startsWith(": loading leaver");
    assertThat(DeclaredModelsIT.model(gateway, "leaver").path("waiting").asInt()).isEqualTo(1);
    reader.close();
    Await.until(
        "the leaver to leave the queue",
        WAIT,
        () -> DeclaredModelsIT.model(gateway, "leaver").path("waiting").asInt() == 0);
  }

  @Test
  void anIdleModelUnloadsWithTheReasonAndTheNextRequestWakesIt() {
    assertThat(gateway.post("/v1/chat/completions", chat("sleepy", false)).status()).isEqualTo(200);
    String engine = DeclaredModelsIT.readyEngines(gateway, "sleepy").get(0);
    gateway.awaitState(engine, "STOPPED", WAIT);
    assertThat(gateway.get("/v1/management/engines/" + engine + "/events").body())
        .contains("idle for 3s");
    assertThat(state("sleepy")).isEqualTo("idle");
    JsonNode listed = null;
    for (JsonNode m : gateway.get("/v1/models").json().path("data")) {
      if (m.path("id").asText().equals("sleepy")) {
        listed = m;
      }
    }
    assertThat(listed.path("state").asText()).isEqualTo("idle");
    Http.Response woken = gateway.post("/v1/chat/completions", chat("sleepy", false));
    assertThat(woken.status()).as(woken.body()).isEqualTo(200);
  }
}

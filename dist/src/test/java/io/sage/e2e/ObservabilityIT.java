package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: metrics, access log and request ids, through the real gateway and real mock engines.
 */
class ObservabilityIT {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @TempDir static Path dataDir;
  static Gateway gateway;

  @BeforeAll
  static void start() throws IOException {
    Path gpus = dataDir.resolve("fake-gpus.json");
    Files.writeString(
        gpus,
        "[{\"index\": 0, \"name\": \"Fake H100\", \"uuid\": \"GPU-fake-0\", "
            + "\"memory_total_mib\": 81920, \"memory_used_mib\": 1024, \"utilization_pct\": 40}]");
    gateway =
        Gateway.start(
            dataDir,
            Map.of(
                "SAGE_HEALTH_INTERVAL", "500ms",
                "SAGE_RESTART_BACKOFF_INITIAL", "200ms",
                "SAGE_GPU_FAKE", gpus.toString(),
                "GPU_PROVIDER", "fake",
                "SAGE_METRICS_GPU_INTERVAL", "200ms",
                "SAGE_ENGINES_PORT_RANGE_START", "46100",
                "SAGE_ENGINES_PORT_RANGE_END", "46999"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  /** One scraped sample. */
  record Sample(String name, Map<String, String> labels, double value) {}

  static List<Sample> scrape(Gateway gateway) {
    Http.Response response = gateway.get("/metrics");
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    assertThat(response.header("content-type")).startsWith("text/plain").contains("version=0.0.4");
    List<Sample> samples = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("sample line: " + line).isTrue();
      Map<String, String> labels = new HashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
    }
    return samples;
  }

  /** Sum of the samples of {@code name} whose labels include {@code match} (k1, v1, k2, v2...). */
  static double sum(List<Sample> samples, String name, String... match) {
    double total = 0;
    boolean found = false;
    outer:
    for (Sample s : samples) {
      if (!s.name().equals(name)) {
        continue;
      }
      for (int i = 0; i < match.length; i += 2) {
        if (!match[i + 1].equals(s.labels().get(match[i]))) {
          continue outer;
        }
      }
      found = true;
      total += s.value();
    }
    return found ? total : Double.NaN;
  }

  static Http.Response post(String path, String body, String requestId) {
    return Http.send(
        HttpRequest.newBuilder(URI.create(gateway.url() + path))
            .header("Content-Type", "application/json")
            .header("x-request-id", requestId)
            .header("traceparent", TRACEPARENT)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  static String chat(String model, boolean stream, int maxTokens) {
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + stream
        + ",\"max_tokens\":"
        + maxTokens
        + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
  }

  static List<JsonNode> accessLog(int atLeast) {
    Path file = dataDir.resolve("logs/access.log");
    return Await.until(
        "at least " + atLeast + " access log lines",
        Duration.ofSeconds(20),
        () -> {
          List<JsonNode> lines = new ArrayList<>();
          try {
            if (Files.exists(file)) {
              for (String line : Files.readAllLines(file)) {
                lines.add(Http.JSON.readTree(line));
              }
            }
          } catch (IOException e) {
            throw new AssertionError("access log line is not JSON", e);
          }
          return lines;
        },
        lines -> lines.size() >= atLeast);
  }

  /**
   * The access log once it holds a line for every one of {@code requestIds} (it is written
   * asynchronously).
   */
  static List<JsonNode> accessLogWith(String... requestIds) {
    return Await.until(
        "access log lines for " + List.of(requestIds),
        Duration.ofSeconds(20),
        () -> accessLog(1),
        lines -> {
          boolean all = true;
          for (String id : requestIds) {
            all &= lines.stream().anyMatch(l -> id.equals(l.get("request_id").asText()));
          }
          return all;
        });
  }

  static JsonNode line(List<JsonNode> lines, String requestId) {
    return lines.stream()
        .filter(l -> requestId.equals(l.get("request_id").asText()))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no access log line for " + requestId + " in " + lines));
  }

  @Test
  void trafficMovesTheCountersAndIsLoggedWithItsRequestIds() {
    String id =
        gateway.startEngine(
            "{\"model\":\"obs-model\",\"runtime\":\"mock\",\"options\":{\"log_requests\":true}}");
    gateway.awaitState(id, "READY", Duration.ofSeconds(30));

    Http.Response plain = post("/v1/chat/completions", chat("obs-model", false, 7), "it-plain-1");
    assertThat(plain.status()).as(plain.body()).isEqualTo(200);
    assertThat(plain.header("x-request-id")).isEqualTo("it-plain-1");
    Http.Response stream = post("/v1/chat/completions", chat("obs-model", true, 5), "it-stream-2");
    assertThat(stream.status()).as(stream.body()).isEqualTo(200);
    assertThat(stream.body()).contains("\"completion_tokens\":5").contains("[DONE]");
    Http.Response unknown =
        post("/v1/chat/completions", chat("no-such-model-xyz", false, 1), "it-unknown-3");
    assertThat(unknown.status()).isEqualTo(404);

    List<Sample> m = scrape(gateway);
    String chatRoute = "/v1/chat/completions";
    assertThat(
            sum(
                m,
                "sage_requests_total",
                "route",
                chatRoute,
                "model",
                "obs-model",
                "engine_id",
                id,
                "status",
                "2xx"))
        .isEqualTo(2);
    assertThat(
            sum(m, "sage_requests_total", "model", "unknown", "engine_id", "none", "status", "4xx"))
        .isEqualTo(1);
    assertThat(m).noneMatch(s -> "no-such-model-xyz".equals(s.labels().get("model")));
    assertThat(sum(m, "sage_request_duration_seconds_count", "model", "obs-model")).isEqualTo(2);
    assertThat(sum(m, "sage_request_duration_seconds_bucket", "model", "obs-model", "le", "+Inf"))
        .isEqualTo(2);
    assertThat(sum(m, "sage_request_duration_seconds_sum", "model", "obs-model")).isGreaterThan(0);
    assertThat(sum(m, "sage_request_first_byte_seconds_count", "model", "obs-model")).isEqualTo(1);
    assertThat(sum(m, "sage_completion_tokens_total", "model", "obs-model")).isEqualTo(12);
    assertThat(sum(m, "sage_prompt_tokens_total", "model", "obs-model")).isGreaterThan(0);
    assertThat(sum(m, "sage_response_bytes_total", "model", "obs-model"))
        .isEqualTo(plain.body().length() + stream.body().length());
    assertThat(sum(m, "sage_request_bytes_total", "model", "obs-model"))
        .isEqualTo(chat("obs-model", false, 7).length() + chat("obs-model", true, 5).length());
    assertThat(sum(m, "sage_engine_state", "engine_id", id, "state", "READY")).isEqualTo(1);
    assertThat(sum(m, "sage_engine_state", "engine_id", id)).isEqualTo(1);
    assertThat(sum(m, "sage_engine_in_flight_requests", "engine_id", id)).isEqualTo(0);
    assertThat(sum(m, "sage_engine_consecutive_health_failures", "engine_id", id)).isEqualTo(0);
    assertThat(sum(m, "sage_engine_restarts_total", "engine_id", id)).isEqualTo(0);
    assertThat(
            sum(
                m,
                "sage_engine_health_check_duration_seconds_count",
                "engine_id",
                id,
                "result",
                "ok"))
        .isGreaterThanOrEqualTo(1);
    assertThat(sum(m, "sage_engine_startup_duration_seconds_count", "model", "obs-model"))
        .isEqualTo(1);

    List<JsonNode> log = accessLogWith("it-plain-1", "it-stream-2", "it-unknown-3");
    JsonNode first = line(log, "it-plain-1");
    assertThat(first.get("route").asText()).isEqualTo(chatRoute);
    assertThat(first.get("model").asText()).isEqualTo("obs-model");
    assertThat(first.get("engine").asText()).isEqualTo(id);
    assertThat(first.get("status").asInt()).isEqualTo(200);
    assertThat(first.get("key_id").asText()).isNotBlank();
    assertThat(first.get("bytes_out").asLong()).isEqualTo(plain.body().length());
    assertThat(first.get("retries").asInt()).isZero();
    assertThat(first.get("latency_ms").asDouble()).isGreaterThan(0);
    assertThat(first.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    JsonNode second = line(log, "it-stream-2");
    assertThat(second.get("stream").asBoolean()).isTrue();
    assertThat(second.get("ttfb_ms").isNumber()).isTrue();
    assertThat(second.get("ttfb_ms").asDouble())
        .isLessThanOrEqualTo(second.get("latency_ms").asDouble());
    JsonNode third = line(log, "it-unknown-3");
    assertThat(third.get("status").asInt()).isEqualTo(404);
    assertThat(third.get("engine").isNull()).isTrue();

    // the engine saw the same request ids and the caller's traceparent
    String engineLog = gateway.get("/v1/management/engines/" + id + "/logs?tail=50").body();
    assertThat(engineLog).contains("it-plain-1").contains("it-stream-2").contains(TRACEPARENT);
  }

  @Test
  void aFailoverAndAnEngineRestartMoveTheirCounters() throws Exception {
    String options = "\"latency_ms\":1500";
    String a =
        gateway.startEngine(
            "{\"model\":\"fo-model\",\"runtime\":\"mock\",\"options\":{" + options + "}}");
    String b =
        gateway.startEngine(
            "{\"model\":\"fo-model\",\"runtime\":\"mock\",\"options\":{" + options + "}}");
    gateway.awaitState(a, "READY", Duration.ofSeconds(30));
    gateway.awaitState(b, "READY", Duration.ofSeconds(30));
    long pidA = gateway.engine(a).get("pid").asLong();
    int restartsBefore = gateway.engine(a).get("restart_count").asInt();
    double startupsBefore =
        sum(scrape(gateway), "sage_engine_startup_duration_seconds_count", "model", "fo-model");

    // four requests spread over both engines; the ones on A are in flight (no byte yet) when it
    // dies
    List<CompletableFuture<Http.Response>> sent = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String requestId = "it-fo-" + i;
      sent.add(
          CompletableFuture.supplyAsync(
              () -> post("/v1/chat/completions", chat("fo-model", false, 3), requestId)));
    }
    Await.until(
        "a request in flight on " + a,
        Duration.ofSeconds(10),
        () -> gateway.engine(a).get("active_requests").asInt() > 0);
    ProcessHandle.of(pidA).orElseThrow().destroyForcibly();
    for (CompletableFuture<Http.Response> response : sent) {
      Http.Response r = response.get();
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.header("x-sage-engine-id")).isEqualTo(b);
    }
    List<Sample> m = scrape(gateway);
    double failovers = sum(m, "sage_request_failovers_total", "model", "fo-model");
    assertThat(failovers).isGreaterThanOrEqualTo(1);
    assertThat(sum(m, "sage_request_retries_total", "model", "fo-model", "engine_id", a))
        .isEqualTo(failovers);
    assertThat(sum(m, "sage_requests_total", "model", "fo-model", "engine_id", b, "status", "2xx"))
        .isEqualTo(4);
    List<JsonNode> log = accessLogWith("it-fo-0", "it-fo-1", "it-fo-2", "it-fo-3");
    long retried =
        log.stream()
            .filter(l -> l.get("request_id").asText().startsWith("it-fo-"))
            .filter(l -> l.get("retries").asInt() == 1 && l.get("engine").asText().equals(b))
            .count();
    assertThat((double) retried).isEqualTo(failovers);

    // the supervisor restarts A; its restart counter and the startup histogram follow
    gateway.awaitEngine(
        a,
        Duration.ofSeconds(30),
        e ->
            e.get("state").asText().equals("READY")
                && e.get("restart_count").asInt() > restartsBefore);
    m = scrape(gateway);
    int restartsAfter = gateway.engine(a).get("restart_count").asInt();
    assertThat(sum(m, "sage_engine_restarts_total", "engine_id", a)).isEqualTo(restartsAfter);
    assertThat(sum(m, "sage_engine_restarts_total", "engine_id", b))
        .isEqualTo(gateway.engine(b).get("restart_count").asInt());
    assertThat(sum(m, "sage_engine_state", "engine_id", a, "state", "READY")).isEqualTo(1);
    assertThat(sum(m, "sage_engine_startup_duration_seconds_count", "model", "fo-model"))
        .isEqualTo(startupsBefore + (restartsAfter - restartsBefore));
  }

  @Test
  void gpuGaugesComeFromTheActiveProvider() {
    List<Sample> m =
        Await.until(
            "GPU gauges in /metrics",
            Duration.ofSeconds(20),
            () -> scrape(gateway),
            samples -> !Double.isNaN(sum(samples, "sage_gpu_memory_total_bytes", "gpu", "0")));
    assertThat(sum(m, "sage_gpu_memory_total_bytes", "gpu", "0", "name", "Fake H100"))
        .isEqualTo(81920.0 * 1024 * 1024);
    assertThat(sum(m, "sage_gpu_memory_used_bytes", "gpu", "0")).isEqualTo(1024.0 * 1024 * 1024);
    assertThat(sum(m, "sage_gpu_memory_reserved_bytes", "gpu", "0")).isEqualTo(0);
    assertThat(sum(m, "sage_gpu_utilization_ratio", "gpu", "0")).isEqualTo(0.4);
  }

  @Test
  void metricsAndAccessLogCanBeSwitchedOff(@TempDir Path otherDir) {
    try {
      try (Gateway quiet =
          Gateway.start(
              otherDir,
              Map.of("SAGE_METRICS_ENABLED", "false", "SAGE_ACCESS_LOG_ENABLED", "false"))) {
        String id = quiet.startEngine("{\"model\":\"quiet-model\",\"runtime\":\"mock\"}");
        quiet.awaitState(id, "READY", Duration.ofSeconds(30));
        Http.Response response = quiet.post("/v1/chat/completions", chat("quiet-model", false, 2));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.header("x-request-id")).isNotBlank();
        assertThat(quiet.get("/metrics").status()).isEqualTo(404);
      }
      // the gateway has stopped, and a stopping gateway writes out every queued access log line
      assertThat(otherDir.resolve("logs/access.log")).doesNotExist();
    } finally {
      assertThat(Leftovers.killAll(otherDir)).isZero();
    }
  }
}

package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a real Prometheus (Debian's package) scrapes the real gateway with the scrape config
 * printed in docs/operations.md and a metrics-scope key; a {@code sage_} series is then read back
 * through Prometheus' HTTP API, and every panel query of docs/grafana/sage.json runs there.
 */
class PrometheusScrapeIT {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Path DOCS = Path.of("..", "docs");

  @TempDir Path dataDir;
  @TempDir Path promDir;

  /** The yaml block after the marker in docs/operations.md, exactly as printed there. */
  static String documentedScrapeConfig() throws IOException {
    String operations = Files.readString(DOCS.resolve("operations.md"));
    Matcher block =
        Pattern.compile("<!-- prometheus-scrape-config -->\\s*```yaml\\n(.*?)```", Pattern.DOTALL)
            .matcher(operations);
    assertThat(block.find()).as("scrape config block in docs/operations.md").isTrue();
    return block.group(1);
  }

  @Test
  void prometheusScrapesWithTheDocumentedConfigAndAMetricsKey() throws Exception {
    assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus is not installed (.ci/run installs it)");
    try (Gateway gateway = Gateway.start(dataDir, Map.of("SAGE_METRICS_AUTH", "required"))) {
      String id =
          gateway.startEngine(
              "{\"model\":\"prom-model\",\"runtime\":\"mock\",\"engine_kind\":\"llm\"}");
      gateway.awaitState(id, "READY", Duration.ofSeconds(60));
      assertThat(
              gateway
                  .post("/v1/chat/completions", "{\"model\":\"prom-model\",\"max_tokens\":2}")
                  .status())
          .isEqualTo(200);

      Sage.Result created =
          Sage.run(
              Map.of(),
              "keys",
              "create",
              "prometheus",
              "--scope",
              "metrics",
              "--json",
              "--gateway",
              gateway.url(),
              "--data-dir",
              dataDir.toString());
      assertThat(created.exitCode()).as(created.all()).isZero();
      String metricsKey = Http.JSON.readTree(created.stdout()).path("key").asText();
      assertThat(metricsKey).startsWith("sk-sage-");

      // the protection the docs describe: no key 401, an inference key 403, a metrics key 200
      assertThat(send(gateway.url() + "/metrics", null).status()).isEqualTo(401);
      String inferenceKey = inferenceKey(gateway);
      assertThat(send(gateway.url() + "/metrics", inferenceKey).status()).isEqualTo(403);
      assertThat(send(gateway.url() + "/metrics", metricsKey).status()).isEqualTo(200);
      assertThat(send(gateway.url() + "/v1/models", metricsKey).status()).isEqualTo(403);
      assertThat(send(gateway.url() + "/v1/management/engines", metricsKey).status())
          .isEqualTo(403);

      Path keyFile = promDir.resolve("sage-metrics.key");
      Files.writeString(keyFile, metricsKey + "\n");
      String scrape =
          documentedScrapeConfig()
              .replace("10.0.0.5:8000", "127.0.0.1:" + gateway.port())
              .replace("/etc/prometheus/sage-metrics.key", keyFile.toString())
              .replace("scrape_interval: 15s", "scrape_interval: 1s");
      Path config = promDir.resolve("prometheus.yml");
      Files.writeString(config, "global:\n  scrape_interval: 1s\n" + scrape);
      int promPort = Ports.free();
      Process prometheus =
          new ProcessBuilder(
                  PROMETHEUS.toString(),
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + promDir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + promPort)
              .redirectErrorStream(true)
              .redirectOutput(promDir.resolve("prometheus.log").toFile())
              .start();
      try {
        String prom = "http://127.0.0.1:" + promPort;
        JsonNode targets = awaitTargetsUp(prom, promDir.resolve("prometheus.log"));
        assertThat(targets.toString()).contains("sage-gateway");
        JsonNode series =
            awaitResult(prom, "sage_requests_total{model=\"prom-model\",status=\"2xx\"}");
        assertThat(series.get(0).path("metric").path("job").asText()).isEqualTo("sage-gateway");
        assertThat(series.get(0).path("value").get(1).asDouble()).isGreaterThanOrEqualTo(1);
        JsonNode state = awaitResult(prom, "sage_engine_state{state=\"READY\"} == 1");
        assertThat(state.get(0).path("metric").path("engine_id").asText()).isEqualTo(id);

        JsonNode dashboard =
            Http.JSON.readTree(Files.readString(DOCS.resolve("grafana/sage.json")));
        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(8);
        for (JsonNode panel : dashboard.path("panels")) {
          for (JsonNode target : panel.path("targets")) {
            String expr = target.path("expr").asText();
            JsonNode answer = query(prom, expr);
            assertThat(answer.path("status").asText())
                .as("panel '%s': %s -> %s", panel.path("title").asText(), expr, answer)
                .isEqualTo("success");
            assertThat(expr).contains("sage_");
          }
        }
      } finally {
        prometheus.destroy();
        if (!prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          prometheus.destroyForcibly();
        }
      }
    }
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  private static String inferenceKey(Gateway gateway) {
    Http.Response created =
        gateway.post("/v1/management/keys", "{\"name\":\"app\",\"scope\":\"inference\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().path("key").asText();
  }

  /** A GET with exactly this key (or none). */
  private static Http.Response send(String url, String key) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
    request.header("Authorization", key == null ? "Bearer" : "Bearer " + key);
    return Http.send(request);
  }

  private static JsonNode query(String prom, String expr) {
    return Http.get(prom + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8))
        .json();
  }

  private static JsonNode awaitResult(String prom, String expr) {
    return Await.until(
            "a result for " + expr,
            Duration.ofSeconds(60),
            () -> query(prom, expr),
            last -> last.path("data").path("result").size() > 0)
        .path("data")
        .path("result");
  }

  private static JsonNode awaitTargetsUp(String prom, Path log) throws IOException {
    try {
      return Await.until(
              "both prometheus targets up",
              Duration.ofSeconds(60),
              () -> {
                try {
                  Http.Response response = Http.get(prom + "/api/v1/targets");
                  // 503 until Prometheus is ready
                  return response.status() == 200 ? response.json() : null;
                } catch (IllegalStateException e) {
                  return null; // not listening yet
                }
              },
              targets -> targets != null && allUp(targets.path("data").path("activeTargets")))
          .path("data")
          .path("activeTargets");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\nlog:\n" + Files.readString(log), e);
    }
  }

  private static boolean allUp(JsonNode active) {
    boolean allUp = active.size() == 2;
    for (JsonNode target : active) {
      allUp &= target.path("health").asText().equals("up");
    }
    return allUp;
  }
}

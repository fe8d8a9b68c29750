package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.UnifiedInferenceClient;
import io.sage.client.chat.ChatMessage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: the rest of the inference API relayed to real mock engines (JSON and multipart), with
 * inference keys, 404 for unserved paths, failover, metrics and the access log; strict management
 * bodies; the mock's vLLM-like 400s through the gateway; the OpenAPI document against the served
 * routes; the SDK from the environment.
 */
class InferenceRoutesIT {
  @TempDir static Path dataDir;
  static Gateway gateway;
  static String llm;
  static String embedding;
  static String inferenceKey;

  @BeforeAll
  static void start() {
    gateway =
        Gateway.start(
            dataDir,
            Map.of(
                "SAGE_HEALTH_INTERVAL", "500ms",
                "SAGE_AUTH_INFERENCE", "required",
                "SAGE_ENGINES_PORT_RANGE_START", "47100",
                "SAGE_ENGINES_PORT_RANGE_END", "47999"));
    llm = gateway.startEngine("{\"model\":\"routes-llm\",\"runtime\":\"mock\"}");
    embedding =
        gateway.startEngine(
            "{\"model\":\"routes-emb\",\"runtime\":\"mock\",\"engine_kind\":\"embedding\"}");
    gateway.awaitState(llm, "READY", Duration.ofSeconds(60));
    gateway.awaitState(embedding, "READY", Duration.ofSeconds(60));
    Http.Response created =
        gateway.post("/v1/management/keys", "{\"name\":\"app\",\"scope\":\"inference\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    inferenceKey = created.json().path("key").asText();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  static Http.Response post(String path, String body, String key, String requestId) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(gateway.url() + path))
            .header("Content-Type", "application/json")
            .header("Authorization", key == null ? "Bearer" : "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (requestId != null) {
      request.header("x-request-id", requestId);
    }
    return Http.send(request);
  }

  static Http.Response infer(String path, String body) {
    return post(path, body, inferenceKey, null);
  }

  @Test
  void theOtherVllmRoutesReachTheEngineOfTheModelWithAnInferenceKey() {
    Http.Response tokens = infer("/tokenize", "{\"model\":\"routes-llm\",\"prompt\":\"a b c\"}");
    assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
    assertThat(tokens.json().path("count").asInt()).isEqualTo(3);
    assertThat(tokens.header("x-sage-engine-id")).isEqualTo(llm);
    Http.Response text = infer("/detokenize", "{\"model\":\"routes-llm\",\"tokens\":[1,2]}");
    assertThat(text.json().path("prompt").asText()).isEqualTo("tok1 tok2");
    Http.Response response =
        infer(
            "/v1/responses", "{\"model\":\"routes-llm\",\"input\":\"hi\",\"max_output_tokens\":2}");
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    assertThat(response.json().path("output").get(0).path("content").get(0).path("text").asText())
        .isEqualTo("tok0 tok1");
    // rerank and score go to whichever kind serves the model: here the embedding engine
    for (String path : List.of("/v1/rerank", "/rerank", "/v2/rerank")) {
      Http.Response reranked =
          infer(path, "{\"model\":\"routes-emb\",\"query\":\"q\",\"documents\":[\"a\",\"b\"]}");
      assertThat(reranked.status()).as(path + ": " + reranked.body()).isEqualTo(200);
      assertThat(reranked.json().path("results")).hasSize(2);
      assertThat(reranked.header("x-sage-engine-id")).isEqualTo(embedding);
    }
    for (String path : List.of("/v1/score", "/score")) {
      Http.Response scored =
          infer(path, "{\"model\":\"routes-emb\",\"text_1\":\"q\",\"text_2\":[\"a\",\"b\",\"c\"]}");
      assertThat(scored.status()).as(path + ": " + scored.body()).isEqualTo(200);
      assertThat(scored.json().path("data")).hasSize(3);
    }
    // the engine's own answers are relayed unchanged: the mock serves no /pooling (vLLM would)
    Http.Response pooling = infer("/pooling", "{\"model\":\"routes-emb\",\"input\":\"x\"}");
    assertThat(pooling.status()).isEqualTo(404);
    assertThat(pooling.header("x-sage-engine-id")).isEqualTo(embedding);
    // any other POST under /v1/ with a model is relayed as well (and gets the engine's 404 here)
    Http.Response other = infer("/v1/something/new", "{\"model\":\"routes-llm\"}");
    assertThat(other.status()).isEqualTo(404);
    assertThat(other.header("x-sage-engine-id")).isEqualTo(llm);
    assertThat(other.json().path("error").path("message").asText()).contains("No route for");
    // and a model nobody serves is the gateway's own 404
    Http.Response unknown = infer("/tokenize", "{\"model\":\"nope\",\"prompt\":\"a\"}");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().path("error").path("code").asText()).isEqualTo("model_not_found");
    // without a key these are inference routes: 401 asks for a key, not an admin key
    Http.Response anonymous =
        post("/tokenize", "{\"model\":\"routes-llm\",\"prompt\":\"a\"}", null, null);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.json().path("error").path("message").asText()).doesNotContain("admin");
  }

  @Test
  void audioUploadsAreRoutedByTheirFormFieldAndForwardedWhole() {
    String boundary = "----sage-it-boundary";
    byte[] audio = new byte[3000];
    for (int i = 0; i < audio.length; i++) {
      audio[i] = (byte) (i * 7); // binary, with CR LF bytes and dashes somewhere in it
    }
    for (String path : List.of("/v1/audio/transcriptions", "/v1/audio/translations")) {
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      write(
          body,
          "--"
              + boundary
              + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
              + "Content-Type: audio/wav\r\n\r\n");
      body.writeBytes(audio);
      write(
          body,
          "\r\n--"
              + boundary
              + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n"
              + "routes-llm\r\n--"
              + boundary
              + "--\r\n");
      Http.Response answer =
          Http.send(
              HttpRequest.newBuilder(URI.create(gateway.url() + path))
                  .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                  .header("Authorization", "Bearer " + inferenceKey)
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
      assertThat(answer.status()).as(path + ": " + answer.body()).isEqualTo(200);
      assertThat(answer.header("x-sage-engine-id")).isEqualTo(llm);
      assertThat(answer.json().path("text").asText()).endsWith("of 3000 bytes");
    }
    Http.Response noModel =
        Http.send(
            HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/audio/transcriptions"))
                .header("Content-Type", "multipart/form-data; boundary=b")
                .header("Authorization", "Bearer " + inferenceKey)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nxx\r\n--b--\r\n")));
    assertThat(noModel.status()).isEqualTo(400);
    assertThat(noModel.json().path("error").path("param").asText()).isEqualTo("model");
  }

  private static void write(java.io.ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void unservedPathsAre404sInTheOpenAiShapeAndManagementStillNeedsAnAdminKey() {
    Http.Response get =
        Http.send(
            HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/nothing-here"))
                .header("Authorization", "Bearer " + inferenceKey)
                .GET());
    assertThat(get.status()).isEqualTo(404);
    assertThat(get.json().path("error").path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(get.json().path("error").path("code").asText()).isEqualTo("not_found");
    // the served GET routes under /v1/ are not shadowed by the catch-all
    Http.Response model = gateway.get("/v1/models/routes-llm");
    assertThat(model.status()).as(model.body()).isEqualTo(200);
    assertThat(model.json().path("id").asText()).isEqualTo("routes-llm");
    assertThat(gateway.get("/v1/management/engines/" + llm).status()).isEqualTo(200);
    Http.Response noModel = infer("/v1/nothing-here", "{\"prompt\":\"x\"}");
    assertThat(noModel.status()).isEqualTo(400);
    assertThat(noModel.json().path("error").path("param").asText()).isEqualTo("model");
    Http.Response management =
        post(
            "/v1/management/engines", "{\"model\":\"x\",\"runtime\":\"mock\"}", inferenceKey, null);
    assertThat(management.status()).isEqualTo(403);
    Http.Response managementNoKey = post("/v1/management/nothing", "{\"model\":\"x\"}", null, null);
    assertThat(managementNoKey.status()).isEqualTo(401);
    Http.Response adminUnknown =
        gateway.post("/v1/management/nothing", "{\"model\":\"routes-llm\"}");
    assertThat(adminUnknown.status()).isEqualTo(404);
    assertThat(adminUnknown.header("x-sage-engine-id")).isNull();
  }

  @Test
  void failoverMetricsAndTheAccessLogApplyToTheNewRoutes() throws Exception {
    String options = "\"latency_ms\":1500";
    String a =
        gateway.startEngine(
            "{\"model\":\"routes-fo\",\"runtime\":\"mock\",\"engine_kind\":\"embedding\",\"options\":{"
                + options
                + "}}");
    String b =
        gateway.startEngine(
            "{\"model\":\"routes-fo\",\"runtime\":\"mock\",\"engine_kind\":\"embedding\",\"options\":{"
                + options
                + "}}");
    gateway.awaitState(a, "READY", Duration.ofSeconds(60));
    gateway.awaitState(b, "READY", Duration.ofSeconds(60));
    long pidA = gateway.engine(a).get("pid").asLong();
    List<CompletableFuture<Http.Response>> sent = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String requestId = "it-routes-fo-" + i;
      sent.add(
          CompletableFuture.supplyAsync(
              () ->
                  post(
                      "/v1/rerank",
                      "{\"model\":\"routes-fo\",\"query\":\"q\",\"documents\":[\"a\"]}",
                      inferenceKey,
                      requestId)));
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
    String metrics = gateway.get("/metrics").body();
    assertThat(metrics)
        .containsPattern("sage_request_failovers_total\\{model=\"routes-fo\",[^}]*} [1-9]")
        .containsPattern(
            "sage_requests_total\\{[^}]*model=\"routes-fo\",route=\"/v1/rerank\",status=\"2xx\"} 4.0");
    // invented paths share one route label
    assertThat(metrics).doesNotContain("route=\"/v1/something/new\"");
    List<String> lines = awaitAccessLog("it-routes-fo-", 4);
    assertThat(lines)
        .allSatisfy(
            l ->
                assertThat(l)
                    .contains("\"route\":\"/v1/rerank\"")
                    .contains("\"engine\":\"" + b + "\""));
    assertThat(lines.stream().filter(l -> l.contains("\"retries\":1")).count()).isPositive();
  }

  private static List<String> awaitAccessLog(String requestIdPrefix, int count) {
    Path file = dataDir.resolve("logs/access.log");
    return Await.until(
        count + " access log lines for " + requestIdPrefix,
        Duration.ofSeconds(10),
        () -> {
          try {
            return Files.exists(file)
                ? Files.readAllLines(file).stream()
                    .filter(l -> l.contains("\"request_id\":\"" + requestIdPrefix))
                    .toList()
                : List.<String>of();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        },
        found -> found.size() >= count);
  }

  @Test
  void managementBodiesRefuseUnknownFieldsByName() {
    Http.Response key =
        gateway.post("/v1/management/keys", "{\"name\":\"x\",\"scope\":\"inference\",\"rpms\":3}");
    assertThat(key.status()).as(key.body()).isEqualTo(400);
    assertThat(key.json().path("error").path("param").asText()).isEqualTo("rpms");
    assertThat(key.json().path("error").path("message").asText()).contains("unknown field 'rpms'");
    assertThat(gateway.get("/v1/management/keys").body()).doesNotContain("\"name\":\"x\"");
    Http.Response engine =
        gateway.post("/v1/management/engines", "{\"model\":\"x\",\"runtime\":\"mock\",\"gpu\":1}");
    assertThat(engine.status()).isEqualTo(400);
    assertThat(engine.json().path("error").path("message").asText())
        .contains("unknown field 'gpu'");
    Http.Response register =
        gateway.post(
            "/v1/management/engines/register",
            "{\"model\":\"x\",\"base_url\":\"http://127.0.0.1:1\",\"kind\":\"llm\"}");
    assertThat(register.status()).isEqualTo(400);
    assertThat(register.json().path("error").path("param").asText()).isEqualTo("kind");
    Http.Response stop =
        gateway.post("/v1/management/engines/" + llm + "/stop", "{\"drain\":false}");
    assertThat(stop.status()).isEqualTo(400);
    assertThat(gateway.engine(llm).get("state").asText()).isEqualTo("READY");
    Http.Response session = gateway.post("/v1/sessions", "{\"title\":\"t\",\"colour\":\"red\"}");
    assertThat(session.status()).isEqualTo(400);
    assertThat(session.json().path("error").path("param").asText()).isEqualTo("colour");
  }

  @Test
  void theMockAnswersBadRequestsLikeVllmThroughTheGateway() {
    Object[][] cases = {
      {"/v1/chat/completions", "{\"model\":\"routes-llm\",\"messages\":\"hi\"}", "messages"},
      {
        "/v1/chat/completions",
        "{\"model\":\"routes-llm\",\"messages\":[{\"content\":\"hi\"}]}",
        "messages[0].role"
      },
      {
        "/v1/chat/completions",
        "{\"model\":\"routes-llm\",\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}",
        "messages[0].role"
      },
      {
        "/v1/chat/completions",
        "{\"model\":\"routes-llm\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":0}",
        "max_tokens"
      },
      {
        "/v1/chat/completions",
        "{\"model\":\"routes-llm\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":0}",
        "n"
      },
      {"/v1/embeddings", "{\"model\":\"routes-emb\",\"input\":42}", "input"},
    };
    for (Object[] c : cases) {
      Http.Response r = infer((String) c[0], (String) c[1]);
      assertThat(r.status()).as(c[1] + " -> " + r.body()).isEqualTo(400);
      JsonNode error = r.json().path("error");
      assertThat(error.path("param").asText()).as((String) c[1]).isEqualTo(c[2]);
      assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
      assertThat(r.header("x-sage-engine-id")).isNotNull(); // the engine's own answer, relayed
    }
  }

  @Test
  void theOpenApiDocumentListsExactlyTheServedRoutes() {
    Http.Response response = gateway.get("/openapi.json");
    assertThat(response.status()).isEqualTo(200);
    JsonNode doc = response.json();
    assertThat(doc.path("openapi").asText()).startsWith("3.");
    Set<String> documented = new TreeSet<>();
    Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue()
          .fieldNames()
          .forEachRemaining(m -> documented.add(m.toUpperCase() + " " + path.getKey()));
    }
    // every route the docs and the other tests use is in the document
    for (String route :
        List.of(
            "GET /health",
            "GET /ready",
            "GET /version",
            "GET /metrics",
            "GET /metrics/engines",
            "GET /openapi.json",
            "GET /v1/models",
            "GET /v1/models/{id}",
            "POST /v1/chat/completions",
            "POST /v1/completions",
            "POST /v1/embeddings",
            "POST /v1/responses",
            "POST /v1/rerank",
            "POST /rerank",
            "POST /v1/score",
            "POST /score",
            "POST /tokenize",
            "POST /detokenize",
            "POST /pooling",
            "POST /classify",
            "POST /v1/audio/transcriptions",
            "POST /v1/audio/translations",
            "POST /v1/{rest}",
            "GET /v1/management/engines",
            "POST /v1/management/engines",
            "GET /v1/management/engines/{id}",
            "POST /v1/management/engines/{id}/stop",
            "POST /v1/management/engines/{id}/restart",
            "DELETE /v1/management/engines/{id}",
            "GET /v1/management/engines/{id}/events",
            "GET /v1/management/engines/{id}/logs",
            "POST /v1/management/engines/register",
            "GET /v1/management/gateway/logs",
            "GET /v1/management/status",
            "GET /v1/management/keys",
            "POST /v1/management/keys",
            "DELETE /v1/management/keys/{id}",
            "GET /v1/sessions",
            "POST /v1/sessions",
            "GET /sessions")) {
      assertThat(documented).as("documented routes").contains(route);
    }
    assertThat(documented).noneMatch(r -> r.contains("nothing-here"));
    // and every documented route is served: a request to it never gets the router's "no route"
    for (String route : documented) {
      String method = route.substring(0, route.indexOf(' '));
      String path = route.substring(route.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "zz-none");
      // curl and browsers send Accept: */*; the catch-alls must not win the route for it
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("Accept", "*/*");
      switch (method) {
        case "GET" -> request.GET();
        case "DELETE" -> request.DELETE();
        default ->
            request
                .method(method, HttpRequest.BodyPublishers.ofString("{\"zz-none\":1}"))
                .header("Content-Type", "application/json");
      }
      Http.Response answer = probe(request);
      if (!route.contains("{rest}")) { // the catch-alls answer unserved paths with that 404
        assertThat(answer.body())
            .as(route + " -> " + answer.status())
            .doesNotContain("no route " + method);
      }
      assertThat(answer.status()).as(route + ": " + answer.body()).isNotIn(405, 500);
      JsonNode operation =
          doc.path("paths")
              .path(route.substring(route.indexOf(' ') + 1))
              .path(method.toLowerCase());
      assertThat(operation.path("x-sage-key").asText())
          .as(route)
          .isIn("none", "metrics", "inference", "admin");
    }
    assertThat(
            doc.path("paths").path("/v1/management/keys").path("post").path("x-sage-key").asText())
        .isEqualTo("admin");
    assertThat(doc.path("paths").path("/tokenize").path("post").path("x-sage-key").asText())
        .isEqualTo("inference");
  }

  /**
   * Status and the first bytes of the body: a streaming route (SSE, follow) never ends by itself.
   */
  private static Http.Response probe(HttpRequest.Builder request) {
    try {
      java.net.http.HttpResponse<java.io.InputStream> response =
          Http.client()
              .send(
                  Http.withKey(request.timeout(Duration.ofSeconds(30)).build()),
                  java.net.http.HttpResponse.BodyHandlers.ofInputStream());
      try (java.io.InputStream body = response.body()) {
        byte[] head =
            body.readNBytes(
                response
                        .headers()
                        .firstValue("content-type")
                        .orElse("")
                        .startsWith("text/event-stream")
                    ? 0
                    : 4096);
        return new Http.Response(
            response.statusCode(),
            response.headers().map(),
            new String(head, StandardCharsets.UTF_8));
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theSdkTakesItsGatewayAndKeyFromTheEnvironment() {
    UnifiedInferenceClient client =
        UnifiedInferenceClient.fromEnv(
                Map.of("SAGE_GATEWAY_URL", gateway.url() + "/v1", "SAGE_API_KEY", inferenceKey))
            .build();
    assertThat(client.models()).contains("routes-llm", "routes-emb");
    assertThat(
            client
                .chat(
                    io.sage.client.chat.ChatRequest.builder()
                        .model("routes-llm")
                        .user("hi")
                        .maxTokens(2)
                        .build())
                .content())
        .isEqualTo("tok0 tok1");
    UnifiedInferenceClient noKey =
        UnifiedInferenceClient.fromEnv(Map.of("SAGE_GATEWAY_URL", gateway.url())).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> noKey.chat(List.of(ChatMessage.user("hi"))))
        .hasMessageContaining("API key");
  }
}

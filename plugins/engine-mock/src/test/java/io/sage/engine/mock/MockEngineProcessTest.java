package io.sage.engine.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sage.spi.engine.EngineSpec;
import io.sage.testkit.engine.LaunchedEngine;
import io.sage.testkit.engine.TestEngineContext;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Launches real mock engine processes and talks HTTP to them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MockEngineProcessTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path workRoot;
  private final MockEngineRuntimeFactory factory = new MockEngineRuntimeFactory();
  private final List<LaunchedEngine> launched = new ArrayList<>();
  private final Map<String, TestEngineContext> contexts = new java.util.HashMap<>();
  private LaunchedEngine llm;
  private LaunchedEngine embedding;

  @AfterAll
  void stopAll() {
    launched.forEach(LaunchedEngine::stop);
  }

  @Test
  void chatAnswersWithExactlyMaxTokens() throws IOException {
    HttpResponse<String> response =
        post(
            llm(),
            "/v1/chat/completions",
            "{\"model\":\"mock-model\",\"max_tokens\":5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"say three words\"}]}");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-length")).isPresent();
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("id").asText()).isNotBlank();
    assertThat(body.path("created").asLong()).isPositive();
    assertThat(body.path("model").asText()).isEqualTo(MockSpecs.MODEL);
    JsonNode choice = body.path("choices").get(0);
    assertThat(choice.path("index").asInt()).isZero();
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText())
        .isEqualTo("tok0 tok1 tok2 tok3 tok4");
    assertThat(choice.path("finish_reason").asText()).isEqualTo("length");
    JsonNode usage = body.path("usage");
    assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(3);
    assertThat(usage.path("completion_tokens").asInt()).isEqualTo(5);
    assertThat(usage.path("total_tokens").asInt()).isEqualTo(8);
  }

  @Test
  void chatDefaultsTo16TokensAndPrefersMaxCompletionTokens() throws IOException {
    JsonNode byDefault = JSON.readTree(post(llm(), "/v1/chat/completions", "{}").body());
    assertThat(byDefault.path("usage").path("completion_tokens").asInt()).isEqualTo(16);
    JsonNode preferred =
        JSON.readTree(
            post(llm(), "/v1/chat/completions", "{\"max_tokens\":9,\"max_completion_tokens\":2}")
                .body());
    assertThat(preferred.path("choices").get(0).path("message").path("content").asText())
        .isEqualTo("tok0 tok1");
  }

  @Test
  void chatStreamsOneEventPerTokenThenUsageThenDone() throws IOException {
    List<String> events =
        dataEvents(
            post(
                llm(),
                "/v1/chat/completions",
                "{\"model\":\"mock-model\",\"stream\":true,\"max_tokens\":4,"
                    + "\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    assertThat(events).hasSize(6).last().isEqualTo("[DONE]");
    StringBuilder content = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      JsonNode chunk = JSON.readTree(events.get(i));
      assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
      JsonNode choice = chunk.path("choices").get(0);
      content.append(choice.path("delta").path("content").asText());
      assertThat(choice.path("finish_reason").isNull()).isEqualTo(i < 3);
    }
    assertThat(content).hasToString("tok0 tok1 tok2 tok3");
    assertThat(JSON.readTree(events.get(3)).path("choices").get(0).path("finish_reason").asText())
        .isEqualTo("length");
    JsonNode usage = JSON.readTree(events.get(4));
    assertThat(usage.path("choices")).isEmpty();
    assertThat(usage.path("usage").path("completion_tokens").asInt()).isEqualTo(4);
    assertThat(usage.path("usage").path("prompt_tokens").asInt()).isEqualTo(1);
  }

  @Test
  void streamWithoutIncludeUsageHasNoUsageChunk() throws IOException {
    HttpResponse<String> response =
        post(llm(), "/v1/chat/completions", "{\"stream\":true,\"max_tokens\":3}");
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<String> events = dataEvents(response);
    assertThat(events).hasSize(4).last().isEqualTo("[DONE]");
    assertThat(events).noneMatch(event -> event.contains("\"usage\""));
  }

  @Test
  void completionsUseTheTextCompletionShape() throws IOException {
    JsonNode body =
        JSON.readTree(
            post(
                    llm(),
                    "/v1/completions",
                    "{\"model\":\"mock-model\",\"prompt\":\"a b\",\"max_tokens\":3}")
                .body());
    assertThat(body.path("object").asText()).isEqualTo("text_completion");
    assertThat(body.path("choices").get(0).path("text").asText()).isEqualTo("tok0 tok1 tok2");
    assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);

    List<String> events =
        dataEvents(
            post(llm(), "/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":2,\"stream\":true}"));
    assertThat(events).hasSize(3).last().isEqualTo("[DONE]");
    assertThat(JSON.readTree(events.get(1)).path("choices").get(0).path("text").asText())
        .isEqualTo(" tok1");
  }

  @Test
  void answersAreDeterministic() throws IOException {
    String request = "{\"messages\":[{\"role\":\"user\",\"content\":\"same\"}],\"max_tokens\":7}";
    JsonNode first = JSON.readTree(post(llm(), "/v1/chat/completions", request).body());
    JsonNode second = JSON.readTree(post(llm(), "/v1/chat/completions", request).body());
    assertThat(first.path("choices")).isEqualTo(second.path("choices"));
    assertThat(first.path("usage")).isEqualTo(second.path("usage"));
  }

  @Test
  void rejectsAMissingOrWrongApiKey() throws IOException {
    HttpResponse<String> missing = llm().post("/v1/chat/completions", "{}", TIMEOUT);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(missing.body()).path("error").path("code").asText())
        .isEqualTo("invalid_api_key");
    HttpResponse<String> wrong =
        llm().post("/v1/embeddings", "{}", TIMEOUT, "Authorization", "Bearer nope");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(llm().get("/health", TIMEOUT).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownModelIs404LikeVllm() throws IOException {
    HttpResponse<String> response =
        post(llm(), "/v1/chat/completions", "{\"model\":\"other\",\"messages\":[]}");
    assertThat(response.statusCode()).isEqualTo(404);
    JsonNode error = JSON.readTree(response.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("model_not_found");
    assertThat(error.path("message").asText()).contains("other");
  }

  @Test
  void malformedJsonIs400() throws IOException {
    HttpResponse<String> response = post(llm(), "/v1/chat/completions", "{\"model\": ");
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(response.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("message").asText()).contains("not valid JSON");
    assertThat(post(llm(), "/v1/chat/completions", "{\"max_tokens\":\"ten\"}").statusCode())
        .isEqualTo(400);
  }

  @Test
  void unknownRouteIs404AndWrongMethodIs405() throws IOException {
    assertThat(post(llm(), "/v1/nothing", "{}").statusCode()).isEqualTo(404);
    assertThat(llm().get("/v1/chat/completions", TIMEOUT, auth(llm())).statusCode()).isEqualTo(405);
  }

  @Test
  void logsOneLinePerRequest() throws IOException {
    llm()
        .post(
            "/v1/completions",
            "{\"prompt\":\n\"logged\"}",
            TIMEOUT,
            "Authorization",
            auth(llm())[1],
            "x-request-id",
            "req-42",
            "traceparent",
            "00-abc-def-01");
    llm()
        .awaitLog(
            "request method=POST path=/v1/completions x-request-id=req-42 traceparent=00-abc-def-01"
                + " body={\"prompt\": \"logged\"}",
            TIMEOUT);
    llm().get("/health", TIMEOUT);
    llm().awaitLog("request method=GET path=/health x-request-id=- traceparent=- body=", TIMEOUT);
  }

  @Test
  void embeddingsAreDeterministicUnitVectorsInInputOrder() throws IOException {
    JsonNode both =
        JSON.readTree(
            post(embedding(), "/v1/embeddings", "{\"input\":[\"alpha\",\"beta\"]}").body());
    assertThat(both.path("object").asText()).isEqualTo("list");
    assertThat(both.path("model").asText()).isEqualTo(MockSpecs.MODEL);
    float[] alpha = floats(both.path("data").get(0).path("embedding"));
    float[] beta = floats(both.path("data").get(1).path("embedding"));
    assertThat(both.path("data").get(1).path("index").asInt()).isEqualTo(1);
    assertThat(alpha).hasSize(32);
    assertThat(norm(alpha)).isCloseTo(1.0, within(1e-4));
    assertThat(norm(beta)).isCloseTo(1.0, within(1e-4));
    assertThat(alpha).isNotEqualTo(beta);

    JsonNode single =
        JSON.readTree(post(embedding(), "/v1/embeddings", "{\"input\":\"beta\"}").body());
    assertThat(floats(single.path("data").get(0).path("embedding"))).isEqualTo(beta);
  }

  @Test
  void base64EmbeddingsDecodeToTheSameFloats() throws IOException {
    JsonNode asFloats =
        JSON.readTree(post(embedding(), "/v1/embeddings", "{\"input\":[\"x y\"]}").body());
    JsonNode asBase64 =
        JSON.readTree(
            post(
                    embedding(),
                    "/v1/embeddings",
                    "{\"input\":\"x y\",\"encoding_format\":\"base64\"}")
                .body());
    ByteBuffer bytes =
        ByteBuffer.wrap(
                Base64.getDecoder().decode(asBase64.path("data").get(0).path("embedding").asText()))
            .order(ByteOrder.LITTLE_ENDIAN);
    float[] decoded = new float[bytes.remaining() / Float.BYTES];
    bytes.asFloatBuffer().get(decoded);
    assertThat(decoded).isEqualTo(floats(asFloats.path("data").get(0).path("embedding")));
    assertThat(asBase64.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);
    assertThat(
            post(embedding(), "/v1/embeddings", "{\"input\":\"x\",\"encoding_format\":\"hex\"}")
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void enginesRefuseTheOtherKindsRoutes() throws IOException {
    assertThat(post(embedding(), "/v1/chat/completions", "{}").statusCode()).isEqualTo(400);
    assertThat(post(llm(), "/v1/embeddings", "{\"input\":\"a\"}").statusCode()).isEqualTo(400);
  }

  @Test
  void pacedStreamsDeliverEventsOneByOne() throws Exception {
    LaunchedEngine paced = start("paced", MockSpecs.llm(Map.of("tokens_per_second", "20")));
    HttpRequest request =
        HttpRequest.newBuilder(paced.uri("/v1/chat/completions"))
            .header("Authorization", auth(paced)[1])
            .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true,\"max_tokens\":6}"))
            .timeout(TIMEOUT)
            .build();
    long start = System.nanoTime();
    HttpResponse<Stream<String>> response =
        paced.http().send(request, HttpResponse.BodyHandlers.ofLines());
    List<Long> arrivals = new ArrayList<>();
    List<String> events = new ArrayList<>();
    response
        .body()
        .filter(line -> line.startsWith("data: "))
        .forEach(
            line -> {
              arrivals.add(System.nanoTime() - start);
              events.add(line);
            });
    assertThat(events).hasSize(7).last().isEqualTo("data: [DONE]");
    // Six tokens at 20 per second are 250 ms apart from first to last; a buffered reply would
    // arrive all at once.
    assertThat(Duration.ofNanos(arrivals.get(5) - arrivals.get(0)))
        .isGreaterThan(Duration.ofMillis(150));
    for (int i = 1; i < arrivals.size(); i++) {
      assertThat(arrivals.get(i)).isGreaterThanOrEqualTo(arrivals.get(i - 1));
    }
  }

  @Test
  void failHealthAfterMakesHealthAnswer503() throws IOException {
    LaunchedEngine engine = launch("sick", MockSpecs.llm(Map.of("fail_health_after_s", "0.5")));
    engine.awaitLog("listening on", TIMEOUT);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    int status = 0;
    while (status != 503 && System.nanoTime() < deadline) {
      status = engine.get("/health", TIMEOUT).statusCode();
    }
    assertThat(status).isEqualTo(503);
    assertThat(engine.get("/v1/models", TIMEOUT, auth(engine)).statusCode()).isEqualTo(200);
    assertThat(engine.process().isAlive()).isTrue();
  }

  @Test
  void startupDelayAnswers503UntilItHasPassed() throws IOException {
    long launchedAt = System.nanoTime();
    LaunchedEngine engine = launch("slow", MockSpecs.llm(Map.of("startup_delay_s", "1.5")));
    engine.awaitLog("listening on", TIMEOUT);
    HttpResponse<String> first = engine.get("/health", TIMEOUT);
    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(first.body()).contains("loading");
    assertThat(engine.get("/v1/models", TIMEOUT, auth(engine)).statusCode()).isEqualTo(503);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    int status = 503;
    while (status != 200 && System.nanoTime() < deadline) {
      status = engine.get("/health", TIMEOUT).statusCode();
    }
    assertThat(status).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - launchedAt))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    assertThat(engine.get("/v1/models", TIMEOUT, auth(engine)).statusCode()).isEqualTo(200);
  }

  @Test
  void exitAfterRequestsExitsWithCode3() throws IOException {
    LaunchedEngine engine = start("exiting", MockSpecs.llm(Map.of("exit_after_requests", "2")));
    assertThat(post(engine, "/v1/chat/completions", "{}").statusCode()).isEqualTo(200);
    assertThat(engine.process().isAlive()).isTrue();
    assertThat(post(engine, "/v1/completions", "{}").statusCode()).isEqualTo(200);
    assertThat(engine.awaitExit(TIMEOUT)).isEqualTo(3);
    assertThat(engine.logTail(1))
        .isEqualTo("mock engine exiting after 2 requests (exit_after_requests)");
  }

  @Test
  void hangAfterStopsAnsweringButStaysAlive() throws Exception {
    LaunchedEngine engine = launch("hung", MockSpecs.llm(Map.of("hang_after_s", "0.3")));
    engine.awaitLog("listening on", TIMEOUT);
    Thread.sleep(400);
    assertThatThrownBy(() -> engine.get("/health", Duration.ofMillis(700)))
        .isInstanceOf(HttpTimeoutException.class);
    assertThatThrownBy(() -> post(engine, "/v1/chat/completions", "{}", Duration.ofMillis(700)))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(engine.process().isAlive()).isTrue();
  }

  @Test
  void badChatBodiesAre400sNamingTheFieldLikeVllm() throws IOException {
    assertInvalid(llm(), "/v1/chat/completions", "{\"messages\":\"hi\"}", "messages");
    assertInvalid(
        llm(), "/v1/chat/completions", "{\"messages\":[{\"content\":\"hi\"}]}", "messages[0].role");
    assertInvalid(
        llm(),
        "/v1/chat/completions",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"wizard\",\"content\":\"b\"}]}",
        "messages[1].role");
    assertInvalid(llm(), "/v1/chat/completions", "{\"messages\":[\"hi\"]}", "messages[0]");
    String user = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    assertInvalid(llm(), "/v1/chat/completions", "{" + user + ",\"max_tokens\":0}", "max_tokens");
    assertInvalid(llm(), "/v1/chat/completions", "{" + user + ",\"max_tokens\":2.5}", "max_tokens");
    assertInvalid(
        llm(), "/v1/chat/completions", "{" + user + ",\"max_tokens\":\"3\"}", "max_tokens");
    assertInvalid(llm(), "/v1/chat/completions", "{" + user + ",\"n\":0}", "n");
    assertInvalid(llm(), "/v1/completions", "{\"prompt\":\"a\",\"n\":-1}", "n");
    assertInvalid(llm(), "/v1/completions", "{\"prompt\":7}", "prompt");
    assertInvalid(embedding(), "/v1/embeddings", "{\"input\":5}", "input");
    assertInvalid(embedding(), "/v1/embeddings", "{\"input\":[\"a\",{}]}", "input");
    assertInvalid(embedding(), "/v1/embeddings", "{\"input\":[]}", "input");
    // valid bodies still pass
    assertThat(
            post(llm(), "/v1/chat/completions", "{" + user + ",\"n\":1,\"max_tokens\":2}")
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void servesTheOtherVllmRoutes() throws IOException {
    JsonNode tokens =
        JSON.readTree(post(llm(), "/tokenize", "{\"prompt\":\"one two three\"}").body());
    assertThat(tokens.path("count").asInt()).isEqualTo(3);
    assertThat(tokens.path("tokens")).hasSize(3);
    JsonNode text = JSON.readTree(post(llm(), "/detokenize", "{\"tokens\":[5,7]}").body());
    assertThat(text.path("prompt").asText()).isEqualTo("tok5 tok7");
    assertInvalid(llm(), "/detokenize", "{\"tokens\":\"x\"}", "tokens");
    JsonNode reranked =
        JSON.readTree(
            post(
                    embedding(),
                    "/v1/rerank",
                    "{\"query\":\"q\",\"documents\":[\"a\",\"b\",\"c\"],\"top_n\":2}")
                .body());
    assertThat(reranked.path("results")).hasSize(2);
    assertThat(reranked.path("results").get(0).path("relevance_score").asDouble())
        .isGreaterThanOrEqualTo(reranked.path("results").get(1).path("relevance_score").asDouble());
    JsonNode scores =
        JSON.readTree(
            post(embedding(), "/score", "{\"text_1\":\"q\",\"text_2\":[\"a\",\"b\"]}").body());
    assertThat(scores.path("data")).hasSize(2);
    JsonNode response =
        JSON.readTree(
            post(llm(), "/v1/responses", "{\"input\":\"hi\",\"max_output_tokens\":3}").body());
    assertThat(response.path("output").get(0).path("content").get(0).path("text").asText())
        .isEqualTo("tok0 tok1 tok2");
    assertThat(post(llm(), "/pooling", "{}").statusCode()).isEqualTo(404);
  }

  private void assertInvalid(LaunchedEngine engine, String path, String body, String param)
      throws IOException {
    HttpResponse<String> response = post(engine, path, body);
    assertThat(response.statusCode()).as(path + " " + body + ": " + response.body()).isEqualTo(400);
    JsonNode error = JSON.readTree(response.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("param").asText()).as(body).isEqualTo(param);
  }

  private LaunchedEngine llm() {
    if (llm == null) {
      llm = start("llm", MockSpecs.llm(Map.of("log_requests", "true")));
    }
    return llm;
  }

  private LaunchedEngine embedding() {
    if (embedding == null) {
      embedding = start("embedding", MockSpecs.embedding(Map.of("embedding_dim", "32")));
    }
    return embedding;
  }

  private LaunchedEngine start(String name, EngineSpec spec) {
    LaunchedEngine engine = launch(name, spec);
    engine.awaitHealthy("/health", TIMEOUT);
    return engine;
  }

  private LaunchedEngine launch(String name, EngineSpec spec) {
    TestEngineContext context = TestEngineContext.of(name, spec, workRoot.resolve(name));
    LaunchedEngine engine = LaunchedEngine.launch(context, factory.create(context).launchCommand());
    launched.add(engine);
    contexts.put(engine.engineId(), context);
    return engine;
  }

  private String[] auth(LaunchedEngine engine) {
    return new String[] {
      "Authorization", "Bearer " + contexts.get(engine.engineId()).engineApiKey()
    };
  }

  private HttpResponse<String> post(LaunchedEngine engine, String path, String json)
      throws IOException {
    return post(engine, path, json, TIMEOUT);
  }

  private HttpResponse<String> post(
      LaunchedEngine engine, String path, String json, Duration timeout) throws IOException {
    return engine.post(path, json, timeout, auth(engine));
  }

  private static List<String> dataEvents(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).endsWith("data: [DONE]\n\n");
    return Stream.of(response.body().split("\n\n"))
        .peek(event -> assertThat(event).startsWith("data: "))
        .map(event -> event.substring("data: ".length()))
        .collect(Collectors.toList());
  }

  private static float[] floats(JsonNode array) {
    float[] values = new float[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).floatValue();
    }
    return values;
  }

  private static double norm(float[] vector) {
    double sum = 0;
    for (float value : vector) {
      sum += (double) value * value;
    }
    return Math.sqrt(sum);
  }
}

package io.sage.engine.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.sage.spi.engine.LaunchCommand;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Starts the real engine process once, the way the gateway would, and talks HTTP to it. */
class EmbeddingEngineIT {

  private static final String MODEL = EmbeddingOptions.DEFAULT_MODEL;
  private static final String KEY = "engine-key-1";
  private static final int MAX_INPUTS = 64;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Process process;
  private static Path log;
  private static String baseUrl;
  private static boolean sawLoading;

  @BeforeAll
  static void startEngine() throws Exception {
    Path work = Files.createTempDirectory("embedding-it");
    log = work.resolve("engine.log");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Map<String, String> options =
        Map.of("threads", "2", "max_inputs", Integer.toString(MAX_INPUTS), "heap_mb", "384");
    LaunchCommand command =
        new EmbeddingEngineRuntimeFactory()
            .create(new TestEngineContext(TestEngineContext.spec(MODEL, options), port, work, KEY))
            .launchCommand();
    ProcessBuilder builder =
        new ProcessBuilder(command.argv())
            .directory(command.workingDirectory().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(command.environment());
    process = builder.start();
    baseUrl = "http://127.0.0.1:" + port;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      assertThat(process.isAlive()).as("engine exited early:%n%s", Files.readString(log)).isTrue();
      int status = healthStatus();
      if (status == 200) {
        return;
      }
      sawLoading |= status == 503;
      Thread.sleep(50);
    }
    throw new AssertionError("engine not ready in 90 s:\n" + Files.readString(log));
  }

  @AfterAll
  static void stopEngine() throws Exception {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static int healthStatus() throws InterruptedException {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/health")).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  private static HttpResponse<String> post(String body, String key)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/v1/embeddings"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode embed(Map<String, Object> body) throws Exception {
    HttpResponse<String> response = post(JSON.writeValueAsString(body), KEY);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static float[] vector(JsonNode item) {
    JsonNode values = item.get("embedding");
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) values.get(i).asDouble();
    }
    return out;
  }

  private static float[] embedOne(String text) throws Exception {
    return vector(embed(Map.of("model", MODEL, "input", text)).get("data").get(0));
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  private static void assertError(
      HttpResponse<String> response, int status, String code, String messagePart)
      throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("code").asText()).isEqualTo(code);
    assertThat(error.get("message").asText()).contains(messagePart);
    assertThat(error.has("type")).isTrue();
    assertThat(error.has("param")).isTrue();
  }

  @Test
  void healthAnswered503WhileLoadingThen200() throws Exception {
    assertThat(sawLoading).as("a 503 from /health while the model loaded").isTrue();
    assertThat(healthStatus()).isEqualTo(200);
  }

  @Test
  void listsTheServedModel() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/v1/models"))
                .header("Authorization", "Bearer " + KEY)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode model = JSON.readTree(response.body()).get("data").get(0);
    assertThat(model.get("id").asText()).isEqualTo(MODEL);
    assertThat(model.get("dimensions").asInt()).isEqualTo(384);
  }

  @Test
  void vectorsHave384UnitLengthDimensionsAndRealTokenCounts() throws Exception {
    JsonNode response = embed(Map.of("model", MODEL, "input", "hello world"));
    float[] vector = vector(response.get("data").get(0));
    assertThat(vector).hasSize(384);
    assertThat(Math.sqrt(dot(vector, vector))).isCloseTo(1.0, within(1e-5));
    assertThat(response.get("model").asText()).isEqualTo(MODEL);
    // [CLS] hello world [SEP]
    assertThat(response.get("usage").get("prompt_tokens").asInt()).isEqualTo(4);
    assertThat(response.get("usage").get("total_tokens").asInt()).isEqualTo(4);
  }

  @Test
  void matchesLangchain4jInProcess() throws Exception {
    String sentence = "The quick brown fox jumps over the lazy dog.";
    float[] expected = new AllMiniLmL6V2EmbeddingModel().embed(sentence).content().vector();
    float[] actual = embedOne(sentence);
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("dimension %d", i).isCloseTo(expected[i], within(1e-4f));
    }
  }

  @Test
  void similarSentencesScoreHigherThanUnrelatedOnes() throws Exception {
    float[] cat = embedOne("A cat is sitting on the mat.");
    float[] kitten = embedOne("A kitten rests on a rug.");
    float[] stocks = embedOne("Quarterly earnings beat analyst expectations.");
    assertThat(dot(cat, kitten)).isGreaterThan(dot(cat, stocks) + 0.2);
  }

  @Test
  void batchResultsKeepInputOrder() throws Exception {
    List<String> inputs =
        List.of(
            "first sentence about apples",
            "second, much longer sentence about the weather today",
            "third",
            "fourth sentence about programming in Java");
    JsonNode data = embed(Map.of("model", MODEL, "input", inputs)).get("data");
    assertThat(data).hasSize(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      assertThat(data.get(i).get("index").asInt()).isEqualTo(i);
      float[] single = embedOne(inputs.get(i));
      assertThat(dot(vector(data.get(i)), single)).as("input %d", i).isCloseTo(1.0, within(1e-4));
    }
  }

  @Test
  void base64DecodesToTheSameFloats() throws Exception {
    float[] floats = embedOne("base64 check");
    JsonNode item =
        embed(Map.of("model", MODEL, "input", "base64 check", "encoding_format", "base64"))
            .get("data")
            .get(0);
    ByteBuffer bytes =
        ByteBuffer.wrap(Base64.getDecoder().decode(item.get("embedding").asText()))
            .order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.remaining()).isEqualTo(384 * Float.BYTES);
    for (float expected : floats) {
      assertThat(bytes.getFloat()).isCloseTo(expected, within(1e-6f));
    }
  }

  @Test
  void dimensionsEqualToTheModelsAreAccepted() throws Exception {
    assertThat(
            vector(
                embed(Map.of("model", MODEL, "input", "x", "dimensions", 384)).get("data").get(0)))
        .hasSize(384);
  }

  @Test
  void requiresTheEngineKeyOnV1ButNotOnHealth() throws Exception {
    assertError(
        post("{\"model\":\"" + MODEL + "\",\"input\":\"hi\"}", null),
        401,
        "invalid_api_key",
        "Bearer");
    assertError(
        post("{\"model\":\"" + MODEL + "\",\"input\":\"hi\"}", "wrong"),
        401,
        "invalid_api_key",
        "Bearer");
    assertThat(healthStatus()).isEqualTo(200);
  }

  @Test
  void rejectsBadInputsWithClearMessages() throws Exception {
    String m = "\"model\":\"" + MODEL + "\"";
    assertError(post("{" + m + "}", KEY), 400, "invalid_request", "'input' is required");
    assertError(post("{" + m + ",\"input\":[]}", KEY), 400, "invalid_request", "empty array");
    assertError(post("{" + m + ",\"input\":\"\"}", KEY), 400, "invalid_request", "empty");
    assertError(
        post("{" + m + ",\"input\":[\"ok\",\"   \"]}", KEY),
        400,
        "invalid_request",
        "input[1] is empty");
    assertError(
        post("{" + m + ",\"input\":[1,2,3]}", KEY),
        400,
        "invalid_request",
        "token arrays are not supported");
    assertError(
        post("{" + m + ",\"input\":[[1,2],[3]]}", KEY),
        400,
        "invalid_request",
        "token arrays are not supported");
    assertError(
        post("{" + m + ",\"input\":{\"a\":1}}", KEY), 400, "invalid_request", "string or an array");
    assertError(
        post("{" + m + ",\"input\":\"x\",\"dimensions\":128}", KEY),
        400,
        "invalid_request",
        "cannot shorten");
    assertError(
        post("{" + m + ",\"input\":\"x\",\"encoding_format\":\"int8\"}", KEY),
        400,
        "invalid_request",
        "'float' or 'base64'");
    assertError(post("not json", KEY), 400, "invalid_request", "not valid JSON");
    assertError(post("{\"input\":\"x\"}", KEY), 400, "invalid_request", "'model' is required");
    String tooMany =
        JSON.writeValueAsString(IntStream.range(0, MAX_INPUTS + 1).mapToObj(i -> "s" + i).toList());
    assertError(
        post("{" + m + ",\"input\":" + tooMany + "}", KEY),
        400,
        "invalid_request",
        "at most " + MAX_INPUTS);
    String tooLong = "word ".repeat(600);
    assertError(
        post("{" + m + ",\"input\":\"" + tooLong + "\"}", KEY),
        400,
        "invalid_request",
        "602 tokens");
    assertError(
        post("{\"model\":\"text-embedding-3-small\",\"input\":\"x\"}", KEY),
        404,
        "model_not_found",
        "not served here");
  }

  /** Not a timed assertion: prints what this machine does, for the record. */
  @Test
  void reportsThroughput() throws Exception {
    List<String> batch =
        IntStream.range(0, 32)
            .mapToObj(i -> "measurement sentence number " + i + " about embeddings")
            .toList();
    embed(Map.of("model", MODEL, "input", batch));
    int rounds = 8;
    long start = System.nanoTime();
    for (int r = 0; r < rounds; r++) {
      assertThat(embed(Map.of("model", MODEL, "input", batch)).get("data")).hasSize(32);
    }
    double batchRate = rounds * 32 / ((System.nanoTime() - start) / 1e9);
    int singles = 64;
    start = System.nanoTime();
    for (int i = 0; i < singles; i++) {
      embedOne("single sentence number " + i);
    }
    double singleRate = singles / ((System.nanoTime() - start) / 1e9);
    System.out.printf(
        "embedding throughput: batch of 32: %.1f sentences/s; sequential singles: %.1f sentences/s%n",
        batchRate, singleRate);
    assertThat(batchRate).isPositive();
  }
}

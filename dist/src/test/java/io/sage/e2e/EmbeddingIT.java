package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 through the gateway: the real ONNX embedding engine, offline, supervised like any engine.
 */
class EmbeddingIT {
  static final String MODEL = "sentence-transformers/all-MiniLM-L6-v2";
  @TempDir static Path dataDir;
  static Gateway gateway;
  static String engineId;

  @BeforeAll
  static void start() {
    gateway = Gateway.start(dataDir);
    engineId =
        gateway.startEngine(
            "{\"model\":\""
                + MODEL
                + "\",\"engine_kind\":\"embedding\",\"options\":{\"threads\":1}}");
    gateway.awaitState(engineId, "READY", Duration.ofSeconds(120));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  static float[] vector(JsonNode item) {
    float[] v = new float[item.get("embedding").size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) item.get("embedding").get(i).asDouble();
    }
    return v;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void realEmbeddingsThroughTheGateway() {
    Http.Response response =
        gateway.post(
            "/v1/embeddings",
            "{\"model\":\""
                + MODEL
                + "\",\"input\":"
                + "[\"A cat sits on the mat.\",\"A kitten is sitting on a rug.\",\"Quarterly tax filings are due in April.\"]}");
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    assertThat(response.header("x-sage-engine-id")).isEqualTo(engineId);
    JsonNode data = response.json().get("data");
    assertThat(data).hasSize(3);
    float[] cat = vector(data.get(0));
    float[] kitten = vector(data.get(1));
    float[] taxes = vector(data.get(2));
    assertThat(cat).hasSize(384);
    double norm = Math.sqrt(dot(cat, cat));
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(cosine(cat, kitten)).isGreaterThan(cosine(cat, taxes) + 0.2);
    assertThat(data.get(2).get("index").asInt()).isEqualTo(2);
    assertThat(response.json().at("/usage/prompt_tokens").asInt()).isGreaterThan(10);

    Http.Response b64 =
        gateway.post(
            "/v1/embeddings",
            "{\"model\":\""
                + MODEL
                + "\",\"input\":\"A cat sits on the mat.\",\"encoding_format\":\"base64\"}");
    byte[] raw = Base64.getDecoder().decode(b64.json().at("/data/0/embedding").asText());
    ByteBuffer floats = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(raw.length).isEqualTo(384 * 4);
    for (int i = 0; i < 384; i++) {
      assertThat(floats.getFloat()).isCloseTo(cat[i], org.assertj.core.data.Offset.offset(1e-4f));
    }
  }

  static double dot(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += a[i] * b[i];
    }
    return d;
  }

  @Test
  void badInputIsA400AndChatIsRefused() {
    EngineLifecycleIT.expectError(
        gateway.post("/v1/embeddings", "{\"model\":\"" + MODEL + "\",\"input\":[[1,2,3]]}"), 400);
    EngineLifecycleIT.expectError(
        gateway.post("/v1/embeddings", "{\"model\":\"" + MODEL + "\",\"input\":[]}"), 400);
    EngineLifecycleIT.expectError(
        gateway.post("/v1/embeddings", "{\"model\":\"" + MODEL + "\"}"), 400);
    EngineLifecycleIT.expectError(
        gateway.post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"messages\":[]}"), 400);
  }

  @Test
  void aKilledEngineIsRestartedAndServesAgain() {
    JsonNode before = gateway.engine(engineId);
    long pid = before.get("pid").asLong();
    int restarts = before.get("restart_count").asInt();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    JsonNode back =
        gateway.awaitEngine(
            engineId,
            Duration.ofSeconds(120),
            e -> "READY".equals(e.get("state").asText()) && e.get("pid").asLong() != pid);
    assertThat(back.get("restart_count").asInt()).isEqualTo(restarts + 1);
    assertThat(
            gateway
                .post("/v1/embeddings", "{\"model\":\"" + MODEL + "\",\"input\":\"hello\"}")
                .status())
        .isEqualTo(200);
  }
}

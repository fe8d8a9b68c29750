package io.sage.engine.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@code /v1/embeddings}: one deterministic unit vector of {@code embedding_dim} floats per input,
 * seeded by the input's text, as JSON floats or base64 of little-endian float32 (OpenAI's format).
 */
final class Embeddings {
  private final String modelJson;
  private final MockOptions options;

  Embeddings(String model, MockOptions options) {
    this.modelJson = JsonText.quote(model);
    this.options = options;
  }

  void serve(HttpExchange exchange, MockRequest request) throws IOException {
    List<String> inputs = inputs(request.get("input"));
    String format = request.string("encoding_format").orElse("float");
    boolean base64 = format.equals("base64");
    if (!base64 && !format.equals("float")) {
      throw ApiError.invalid(
          "encoding_format", "'encoding_format' must be 'float' or 'base64', got '" + format + "'");
    }
    int promptTokens = MockRequest.countWords(request.get("input"));
    int dim = options.embeddingDim();
    StringBuilder out = new StringBuilder(64 + inputs.size() * (base64 ? dim * 6 : dim * 12));
    out.append("{\"object\":\"list\",\"data\":[");
    for (int i = 0; i < inputs.size(); i++) {
      float[] vector = vector(inputs.get(i), dim);
      out.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i);
      out.append(",\"embedding\":");
      if (base64) {
        out.append('"').append(encode(vector)).append('"');
      } else {
        out.append('[');
        for (int d = 0; d < dim; d++) {
          out.append(d == 0 ? "" : ",").append(vector[d]);
        }
        out.append(']');
      }
      out.append('}');
    }
    out.append("],\"model\":").append(modelJson);
    out.append(",\"usage\":{\"prompt_tokens\":").append(promptTokens);
    out.append(",\"total_tokens\":").append(promptTokens).append("}}");
    Pacing.sleepUntil(System.nanoTime() + options.latency().toNanos());
    MockRouter.sendJson(exchange, 200, out.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** A string, an array of strings, an array of token ids, or an array of token id arrays. */
  private static List<String> inputs(JsonNode input) {
    if (input != null && input.isTextual()) {
      return List.of(input.textValue());
    }
    if (input != null && input.isArray() && !input.isEmpty()) {
      Optional<String> ids = MockRequest.tokenIds(input);
      if (ids.isPresent()) {
        return List.of(ids.get());
      }
      List<String> inputs = new ArrayList<>(input.size());
      for (JsonNode item : input) {
        if (item.isTextual()) {
          inputs.add(item.textValue());
        } else {
          inputs.add(MockRequest.tokenIds(item).orElseThrow(Embeddings::invalidInput));
        }
      }
      return inputs;
    }
    throw invalidInput();
  }

  private static ApiError invalidInput() {
    return ApiError.invalid(
        "input", "'input' must be a string or a non-empty array of strings or token ids");
  }

  /** The unit vector for {@code text}: the same text always gives the same vector. */
  static float[] vector(String text, int dim) {
    long seed = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      seed = (seed ^ text.charAt(i)) * 0x100000001b3L;
    }
    SplittableRandom random = new SplittableRandom(seed);
    float[] vector = new float[dim];
    double sumOfSquares = 0;
    for (int d = 0; d < dim; d++) {
      vector[d] = (float) (random.nextDouble() * 2 - 1);
      sumOfSquares += (double) vector[d] * vector[d];
    }
    double norm = Math.sqrt(sumOfSquares);
    for (int d = 0; d < dim; d++) {
      vector[d] = (float) (vector[d] / norm);
    }
    return vector;
  }

  private static String encode(float[] vector) {
    ByteBuffer bytes =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : vector) {
      bytes.putFloat(value);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}

package io.sage.client.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.chat.Usage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Embedding vectors, one per input text, in input order (the engine's {@code index} decides, not
 * the order of {@code data}).
 *
 * @param engineId the engine that answered ({@code x-sage-engine-id}), or null if not reported
 */
public record EmbeddingResult(List<float[]> vectors, String model, Usage usage, String engineId) {

  public EmbeddingResult {
    vectors = List.copyOf(vectors);
    Objects.requireNonNull(usage, "usage");
  }

  /**
   * Reads an OpenAI embeddings answer.
   *
   * @throws IllegalArgumentException when the answer does not hold exactly one vector per input
   */
  public static EmbeddingResult fromJson(JsonNode json, int inputCount, String engineId) {
    float[][] ordered = new float[inputCount][];
    JsonNode data = json.path("data");
    for (int position = 0; position < data.size(); position++) {
      JsonNode item = data.get(position);
      int index = item.path("index").asInt(position);
      if (index < 0 || index >= inputCount || ordered[index] != null) {
        throw new IllegalArgumentException(
            "embedding answer has a bad or repeated index "
                + index
                + " for "
                + inputCount
                + " inputs");
      }
      JsonNode values = item.path("embedding");
      float[] vector = new float[values.size()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = (float) values.get(i).asDouble();
      }
      ordered[index] = vector;
    }
    List<float[]> vectors = new ArrayList<>(Arrays.asList(ordered));
    if (vectors.contains(null)) {
      throw new IllegalArgumentException(
          "embedding answer holds " + data.size() + " vectors for " + inputCount + " inputs");
    }
    return new EmbeddingResult(
        vectors, json.path("model").asText(null), Usage.fromJson(json.get("usage")), engineId);
  }
}

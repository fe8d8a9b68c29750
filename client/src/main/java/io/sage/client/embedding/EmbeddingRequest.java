package io.sage.client.embedding;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An embeddings request ({@code POST /v1/embeddings}) for one or more texts.
 *
 * @param model the embedding model; {@code null} lets the client pick its default
 * @param extra further request fields passed through unchanged (e.g. {@code "dimensions"})
 */
public record EmbeddingRequest(String model, List<String> input, Map<String, Object> extra) {

  public EmbeddingRequest {
    Objects.requireNonNull(input, "input");
    if (input.isEmpty()) {
      throw new IllegalArgumentException("an embedding request needs at least one text");
    }
    input = List.copyOf(input);
    extra = extra == null ? Map.of() : Map.copyOf(extra);
  }

  public static EmbeddingRequest of(List<String> input) {
    return new EmbeddingRequest(null, input, Map.of());
  }

  public EmbeddingRequest withModel(String newModel) {
    return new EmbeddingRequest(newModel, input, extra);
  }

  /** The JSON body; vectors are asked for as floats so they decode without base64. */
  public Map<String, Object> toBody() {
    Map<String, Object> body = new LinkedHashMap<>(extra);
    body.put("model", Objects.requireNonNull(model, "model"));
    body.put("input", input);
    body.putIfAbsent("encoding_format", "float");
    return body;
  }
}

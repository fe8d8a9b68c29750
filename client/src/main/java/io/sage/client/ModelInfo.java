package io.sage.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One entry of {@code GET /v1/models}.
 *
 * @param engineKind {@code llm} or {@code embedding}; null when the server does not say (a plain
 *     OpenAI server)
 * @param raw the whole entry, for fields this record does not name (e.g. ready engine counts)
 */
public record ModelInfo(String id, String engineKind, String ownedBy, JsonNode raw) {

  public ModelInfo {
    Objects.requireNonNull(id, "model id");
    Objects.requireNonNull(raw, "raw");
  }

  static ModelInfo fromJson(JsonNode entry) {
    return new ModelInfo(
        entry.path("id").asText(),
        entry.path("engine_kind").asText(null),
        entry.path("owned_by").asText(null),
        entry);
  }

  public boolean isLlm() {
    return "llm".equals(engineKind);
  }

  public boolean isEmbedding() {
    return "embedding".equals(engineKind);
  }
}

package io.sage.client.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The answer to a chat request.
 *
 * @param finishReason why generation stopped ({@code stop}, {@code length}, ...), or null if the
 *     engine did not say
 * @param engineId the engine that answered ({@code x-sage-engine-id}), or null if not reported
 * @param raw the whole JSON answer, for fields this record does not name
 */
public record ChatResult(
    String id,
    String content,
    String model,
    String finishReason,
    Usage usage,
    String engineId,
    JsonNode raw) {

  public ChatResult {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(raw, "raw");
  }

  /** Reads an OpenAI chat completion; the first choice is the result. */
  public static ChatResult fromJson(JsonNode json, String engineId) {
    JsonNode choice = json.path("choices").path(0);
    return new ChatResult(
        json.path("id").asText(null),
        choice.path("message").path("content").asText(""),
        json.path("model").asText(null),
        choice.path("finish_reason").asText(null),
        Usage.fromJson(json.get("usage")),
        engineId,
        json);
  }

  /** The content delta of one streamed chunk; empty when the chunk carries none (role, finish). */
  public static String deltaContent(JsonNode chunk) {
    return chunk.path("choices").path(0).path("delta").path("content").asText("");
  }
}

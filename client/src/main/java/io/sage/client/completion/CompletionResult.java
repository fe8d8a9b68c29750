package io.sage.client.completion;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.chat.Usage;
import java.util.Objects;

/**
 * The answer to a completion request: the first choice's text.
 *
 * @param engineId the engine that answered ({@code x-sage-engine-id}), or null if not reported
 * @param raw the whole JSON answer
 */
public record CompletionResult(
    String id,
    String text,
    String model,
    String finishReason,
    Usage usage,
    String engineId,
    JsonNode raw) {

  public CompletionResult {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(raw, "raw");
  }

  public static CompletionResult fromJson(JsonNode json, String engineId) {
    JsonNode choice = json.path("choices").path(0);
    return new CompletionResult(
        json.path("id").asText(null),
        choice.path("text").asText(""),
        json.path("model").asText(null),
        choice.path("finish_reason").asText(null),
        Usage.fromJson(json.get("usage")),
        engineId,
        json);
  }
}

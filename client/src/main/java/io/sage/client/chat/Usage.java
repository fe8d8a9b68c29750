package io.sage.client.chat;

import com.fasterxml.jackson.databind.JsonNode;

/** Token counts an engine reported; zeros when it reported none. */
public record Usage(int promptTokens, int completionTokens, int totalTokens) {

  public static final Usage NONE = new Usage(0, 0, 0);

  public Usage {
    if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0) {
      throw new IllegalArgumentException("token counts must not be negative");
    }
  }

  /** Reads an OpenAI {@code usage} object; a missing one gives {@link #NONE}. */
  public static Usage fromJson(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return NONE;
    }
    return new Usage(
        usage.path("prompt_tokens").asInt(0),
        usage.path("completion_tokens").asInt(0),
        usage.path("total_tokens").asInt(0));
  }
}

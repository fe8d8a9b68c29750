package io.sage.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Turns an OpenAI-shaped error ({@code {"error": {...}}}) into a {@link SageClientException}. */
final class ErrorResponses {

  private static final int MAX_RAW_MESSAGE = 500;

  private ErrorResponses() {}

  static SageClientException fromHttp(
      int status, byte[] body, Optional<String> engineId, String context) {
    String text = new String(body, StandardCharsets.UTF_8);
    JsonNode error = parseError(text);
    if (error == null) {
      String message = text.isBlank() ? "no error body" : abbreviate(text.trim());
      return new SageClientException(
          status, null, null, null, message, engineId.orElse(null), context, null);
    }
    return fromErrorNode(status, error, engineId.orElse(null), context);
  }

  /** An {@code error} object met inside a stream (after a 200), or in a 4xx/5xx body. */
  static SageClientException fromErrorNode(
      int status, JsonNode error, String engineId, String context) {
    if (error.isTextual()) {
      return new SageClientException(
          status, null, null, null, error.asText(), engineId, context, null);
    }
    return new SageClientException(
        status,
        textOrNull(error.get("type")),
        textOrNull(error.get("code")),
        textOrNull(error.get("param")),
        error.path("message").asText(""),
        engineId,
        context,
        null);
  }

  private static JsonNode parseError(String text) {
    try {
      JsonNode root = GatewayTransport.MAPPER.readTree(text);
      if (root != null && root.hasNonNull("error")) {
        return root.get("error");
      }
      return null;
    } catch (Exception notJson) {
      return null;
    }
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  private static String abbreviate(String text) {
    return text.length() <= MAX_RAW_MESSAGE ? text : text.substring(0, MAX_RAW_MESSAGE) + "...";
  }
}

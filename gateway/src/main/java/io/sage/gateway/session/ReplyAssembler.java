package io.sage.gateway.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Rebuilds the assistant's reply from the response bytes as they pass: a JSON completion is read
 * whole at the end ({@code choices[0].message.content}); an SSE stream is read event by event and
 * the {@code choices[0].delta.content} pieces are joined, so only the text is held, never the
 * stream. Not thread-safe: the proxy delivers one request's chunks in order.
 */
final class ReplyAssembler {
  /** A reply body larger than this is not stored (the text of a reply is far smaller). */
  static final int MAX_JSON_BYTES = 32 * 1024 * 1024;

  private enum Mode {
    UNKNOWN,
    JSON,
    SSE
  }

  private Mode mode = Mode.UNKNOWN;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private final StringBuilder text = new StringBuilder();
  private String problem;
  private String finishReason;
  private JsonNode toolCalls;

  void accept(ByteBuffer chunk) {
    if (problem != null) {
      return;
    }
    while (chunk.hasRemaining()) {
      byte b = chunk.get();
      if (mode == Mode.UNKNOWN) {
        if (Character.isWhitespace(b)) {
          continue;
        }
        mode = b == '{' ? Mode.JSON : Mode.SSE;
      }
      if (mode == Mode.SSE && b == '\n') {
        line(pending.toString(StandardCharsets.UTF_8));
        pending.reset();
      } else {
        pending.write(b);
        if (mode == Mode.JSON && pending.size() > MAX_JSON_BYTES) {
          problem = "reply is larger than " + MAX_JSON_BYTES + " bytes";
          pending.reset();
          return;
        }
      }
    }
  }

  private void line(String raw) {
    String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
    if (!line.startsWith("data:")) {
      return;
    }
    String data = line.substring(5).strip();
    if (data.isEmpty() || data.equals("[DONE]")) {
      return;
    }
    JsonNode event;
    try {
      event = StoredContent.JSON.readTree(data);
    } catch (IOException e) {
      problem = "unreadable stream event: " + e.getMessage();
      return;
    }
    if (event.has("error")) {
      problem = "stream ended with an error: " + event.path("error").path("message").asText("");
      return;
    }
    JsonNode choice = event.path("choices").path(0);
    JsonNode content = choice.path("delta").path("content");
    if (content.isTextual()) {
      text.append(content.asText());
    }
    if (choice.path("finish_reason").isTextual()) {
      finishReason = choice.path("finish_reason").asText();
    }
  }

  /** Reads what is left; call once, after the last chunk. */
  void finish() {
    if (problem != null) {
      return;
    }
    if (mode == Mode.SSE) {
      if (pending.size() > 0) {
        line(pending.toString(StandardCharsets.UTF_8));
        pending.reset();
      }
      return;
    }
    if (mode == Mode.UNKNOWN) {
      problem = "the reply was empty";
      return;
    }
    try {
      JsonNode message = StoredContent.JSON.readTree(pending.toByteArray()).path("choices").path(0);
      finishReason =
          message.path("finish_reason").isTextual() ? message.path("finish_reason").asText() : null;
      JsonNode content = message.path("message").path("content");
      if (content.isTextual()) {
        text.append(content.asText());
      }
      if (message.path("message").path("tool_calls").isArray()) {
        toolCalls = message.path("message").path("tool_calls");
      }
      if (message.isMissingNode()) {
        problem = "the reply has no choices";
      }
    } catch (IOException e) {
      problem = "the reply is not JSON: " + e.getMessage();
    }
    pending.reset();
  }

  /** Why the reply cannot be stored, or null when it can. */
  String problem() {
    return problem;
  }

  String text() {
    return text.toString();
  }

  /** The engine's finish reason, or null. */
  String finishReason() {
    return finishReason;
  }

  /** Tool calls of a whole (non-stream) reply, or null. */
  JsonNode toolCalls() {
    return toolCalls;
  }
}

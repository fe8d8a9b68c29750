package io.sage.gateway.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.sage.db.session.SessionMessage;

/**
 * How a message's {@code content} is kept: text as is; anything else (an array of content parts) as
 * its JSON text, marked {@code "content_format":"json"} in the metadata so it is replayed and shown
 * as the same JSON.
 */
final class StoredContent {
  /** Exact decimals: a body rewritten for a session keeps its numbers' text. */
  static final ObjectMapper JSON =
      new ObjectMapper()
          .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          // a key given twice is refused, not last-wins: the gateway and an engine that takes the
          // first would otherwise read different requests; trailing bytes are refused too
          .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  static final String FORMAT = "content_format";

  private StoredContent() {}

  /** The text to store for a content value. */
  static String text(JsonNode content) {
    if (content == null || content.isNull()) {
      return "";
    }
    return content.isTextual() ? content.asText() : content.toString();
  }

  /** Whether the content is kept as JSON text (structured content parts). */
  static boolean isJson(JsonNode content) {
    return content != null && !content.isNull() && !content.isTextual();
  }

  /** Plain text of a content value, for a title: the text parts of structured content. */
  static String plain(JsonNode content) {
    if (content == null || content.isNull()) {
      return null;
    }
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder out = new StringBuilder();
    for (JsonNode part : content) {
      JsonNode text = part.get("text");
      if (text != null && text.isTextual()) {
        out.append(out.length() == 0 ? "" : " ").append(text.asText());
      }
    }
    return out.toString();
  }

  /** The stored message's content as the engine and the client first saw it. */
  static JsonNode content(SessionMessage message) {
    JsonNode metadata = metadata(message);
    if (metadata.path(FORMAT).asText("").equals("json")) {
      try {
        return JSON.readTree(message.content());
      } catch (JsonProcessingException e) {
        return TextNode.valueOf(message.content());
      }
    }
    return TextNode.valueOf(message.content());
  }

  /** The message's metadata as JSON; an empty object when it has none. */
  static JsonNode metadata(SessionMessage message) {
    if (message.metadata() == null) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(message.metadata());
    } catch (JsonProcessingException e) {
      return JSON.createObjectNode().put("unreadable", message.metadata());
    }
  }
}

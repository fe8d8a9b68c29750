package io.sage.engine.mock;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed OpenAI request body with typed access to the few fields the mock reads. Every accessor
 * rejects a wrongly typed field with a 400 {@link ApiError} naming it.
 */
final class MockRequest {
  private final Map<String, Object> fields;

  private MockRequest(Map<String, Object> fields) {
    this.fields = fields;
  }

  /** Parses a body that must be a JSON object. */
  @SuppressWarnings("unchecked")
  static MockRequest parse(byte[] body) {
    Object value;
    try {
      value = JsonReader.parse(new String(body, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(null, "The request body is not valid JSON: " + e.getMessage());
    }
    if (!(value instanceof Map)) {
      throw ApiError.invalid(null, "The request body must be a JSON object");
    }
    return new MockRequest((Map<String, Object>) value);
  }

  /** The parsed body, for {@link MockRequestValidation}. */
  Map<String, Object> fields() {
    return fields;
  }

  Optional<String> model() {
    return string("model");
  }

  Optional<String> string(String name) {
    Object value = fields.get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof String text) {
      return Optional.of(text);
    }
    throw ApiError.invalid(name, "'" + name + "' must be a string");
  }

  boolean flag(String name) {
    return flag(fields, name, name);
  }

  /** {@code stream_options.include_usage}. */
  boolean includeUsage() {
    Object options = fields.get("stream_options");
    if (options == null) {
      return false;
    }
    if (options instanceof Map<?, ?> map) {
      return flag(map, "include_usage", "stream_options.include_usage");
    }
    throw ApiError.invalid("stream_options", "'stream_options' must be an object");
  }

  /** {@code max_completion_tokens}, else {@code max_tokens}, else the default. */
  int maxTokens(int fallback, int limit) {
    Object value = fields.get("max_completion_tokens");
    String name = "max_completion_tokens";
    if (value == null) {
      value = fields.get("max_tokens");
      name = "max_tokens";
    }
    if (value == null) {
      return fallback;
    }
    if (value instanceof Double number && number == Math.rint(number) && number >= 1) {
      if (number > limit) {
        throw ApiError.invalid(name, "'" + name + "' must be at most " + limit + ", got " + value);
      }
      return number.intValue();
    }
    throw ApiError.invalid(name, "'" + name + "' must be an integer >= 1");
  }

  Object get(String name) {
    return fields.get(name);
  }

  private static boolean flag(Map<?, ?> map, String key, String name) {
    Object value = map.get(key);
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean bool) {
      return bool;
    }
    throw ApiError.invalid(name, "'" + name + "' must be a boolean");
  }

  /** Whitespace-separated words in the text parts of {@code value}: the mock's token count. */
  static int countWords(Object value) {
    if (value instanceof String text) {
      return countWords(text);
    }
    int count = 0;
    if (value instanceof List<?> list) {
      for (Object item : list) {
        count += item instanceof Double ? 1 : countWords(item);
      }
    } else if (value instanceof Map<?, ?> map) {
      count += countWords(map.get("content"));
      count += countWords(map.get("text"));
    }
    return count;
  }

  static int countWords(String text) {
    int count = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      boolean space = Character.isWhitespace(text.charAt(i));
      if (!space && !inWord) {
        count++;
      }
      inWord = !space;
    }
    return count;
  }
}

package io.sage.engine.mock;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed OpenAI request body with typed access to the few fields the mock reads: the one place
 * where the mock reads requests. Parsing is Jackson's (shaded into the plugin jar); every accessor
 * rejects a wrongly typed field with a 400 {@link ApiError} naming it.
 */
final class MockRequest {
  private static final int MAX_DEPTH = 128;
  private static final ObjectMapper JSON =
      JsonMapper.builder(
              new JsonFactoryBuilder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final JsonNode fields;

  private MockRequest(JsonNode fields) {
    this.fields = fields;
  }

  /** Parses a body that must be a JSON object. */
  static MockRequest parse(byte[] body) {
    JsonNode value;
    try {
      value = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiError.invalid(null, "The request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.invalid(null, "The request body is not valid JSON: " + e.getMessage());
    }
    if (value == null || value.isMissingNode()) {
      throw ApiError.invalid(null, "The request body is not valid JSON: it is empty");
    }
    if (!value.isObject()) {
      throw ApiError.invalid(null, "The request body must be a JSON object");
    }
    return new MockRequest(value);
  }

  /** Parses a typical body once, so the first real request finds Jackson loaded. */
  static void warmUp() {
    MockRequest request =
        parse(
            ("{\"model\":\"m\",\"stream\":false,\"max_tokens\":1,\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"warm up\"}]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    countWords(request.get("messages"));
  }

  /**
   * The parsed body as plain values (maps, lists, strings, numbers, booleans), for {@link
   * MockRequestValidation} and the extra routes.
   */
  @SuppressWarnings("unchecked")
  Map<String, Object> fields() {
    return JSON.convertValue(fields, Map.class);
  }

  Optional<String> model() {
    return string("model");
  }

  Optional<String> string(String name) {
    JsonNode value = field(fields, name);
    if (value == null) {
      return Optional.empty();
    }
    if (value.isTextual()) {
      return Optional.of(value.textValue());
    }
    throw ApiError.invalid(name, "'" + name + "' must be a string");
  }

  boolean flag(String name) {
    return flag(fields, name, name);
  }

  /** {@code stream_options.include_usage}. */
  boolean includeUsage() {
    JsonNode options = field(fields, "stream_options");
    if (options == null) {
      return false;
    }
    if (options.isObject()) {
      return flag(options, "include_usage", "stream_options.include_usage");
    }
    throw ApiError.invalid("stream_options", "'stream_options' must be an object");
  }

  /** {@code max_completion_tokens}, else {@code max_tokens}, else the default. */
  int maxTokens(int fallback, int limit) {
    JsonNode value = field(fields, "max_completion_tokens");
    String name = "max_completion_tokens";
    if (value == null) {
      value = field(fields, "max_tokens");
      name = "max_tokens";
    }
    if (value == null) {
      return fallback;
    }
    double number = value.isNumber() ? value.doubleValue() : Double.NaN;
    if (number == Math.rint(number) && number >= 1) {
      if (number > limit) {
        throw ApiError.invalid(name, "'" + name + "' must be at most " + limit + ", got " + number);
      }
      return (int) number;
    }
    throw ApiError.invalid(name, "'" + name + "' must be an integer >= 1");
  }

  /** The field {@code name}, or null when it is absent or JSON {@code null}. */
  JsonNode get(String name) {
    return field(fields, name);
  }

  private static JsonNode field(JsonNode object, String name) {
    JsonNode value = object.get(name);
    return value == null || value.isNull() ? null : value;
  }

  private static boolean flag(JsonNode object, String key, String name) {
    JsonNode value = field(object, key);
    if (value == null) {
      return false;
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    throw ApiError.invalid(name, "'" + name + "' must be a boolean");
  }

  /** An array of numbers (token ids) as the text {@code [1.0, 2.0]}, or empty if it is not one. */
  static Optional<String> tokenIds(JsonNode value) {
    if (value == null || !value.isArray() || value.isEmpty()) {
      return Optional.empty();
    }
    List<Double> ids = new ArrayList<>(value.size());
    for (JsonNode item : value) {
      if (!item.isNumber()) {
        return Optional.empty();
      }
      ids.add(item.doubleValue());
    }
    return Optional.of(ids.toString());
  }

  /** Whitespace-separated words in the text parts of {@code value}: the mock's token count. */
  static int countWords(JsonNode value) {
    if (value == null) {
      return 0;
    }
    if (value.isTextual()) {
      return countWords(value.textValue());
    }
    int count = 0;
    if (value.isArray()) {
      for (JsonNode item : value) {
        count += item.isNumber() ? 1 : countWords(item);
      }
    } else if (value.isObject()) {
      count += countWords(field(value, "content"));
      count += countWords(field(value, "text"));
    }
    return count;
  }

  /** {@link #countWords(JsonNode)} for a plain value from {@link #fields()}. */
  static int countWords(Object value) {
    if (value == null) {
      return 0;
    }
    return value instanceof String text ? countWords(text) : countWords(JSON.valueToTree(value));
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

package io.sage.engine.mock;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks vLLM's request models make before a request reaches the engine, on plain parsed values
 * (maps, lists, strings, numbers as {@link Number}, booleans), so the JSON library under it can
 * change. Each failure is a 400 in the OpenAI shape with {@code param} naming the field, as vLLM
 * answers.
 */
final class MockRequestValidation {
  static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

  private MockRequestValidation() {}

  /**
   * {@code /v1/chat/completions}: messages (when given: a list of objects with a known role),
   * max_tokens, n.
   */
  static void chat(Map<String, Object> body) {
    Object messages = body.get("messages");
    if (messages == null) {
      // vLLM requires messages; the mock lets load generators and demos leave them out
      sampling(body);
      return;
    }
    if (!(messages instanceof List<?> list)) {
      throw ApiError.invalid("messages", "'messages' must be a list of messages");
    }
    for (int i = 0; i < list.size(); i++) {
      String param = "messages[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> message)) {
        throw ApiError.invalid(param, "'" + param + "' must be an object with a 'role'");
      }
      Object role = message.get("role");
      if (role == null) {
        throw ApiError.invalid(param + ".role", "'" + param + ".role' is required");
      }
      if (!(role instanceof String name) || !ROLES.contains(name)) {
        throw ApiError.invalid(
            param + ".role",
            "'"
                + param
                + ".role' must be one of system, developer, user, assistant, tool; got "
                + describe(role));
      }
    }
    sampling(body);
  }

  /** {@code /v1/completions}: prompt (when given: a string or a list), max_tokens, n. */
  static void completion(Map<String, Object> body) {
    Object prompt = body.get("prompt");
    if (prompt != null && !(prompt instanceof String) && !(prompt instanceof List<?>)) {
      throw ApiError.invalid("prompt", "'prompt' must be a string or a list");
    }
    sampling(body);
  }

  /** {@code /v1/embeddings}: input is a string, or a non-empty list of strings or token ids. */
  static void embedding(Map<String, Object> body) {
    Object input = body.get("input");
    if (input instanceof String) {
      return;
    }
    if (input instanceof List<?> list && !list.isEmpty()) {
      boolean allNumbers = list.stream().allMatch(MockRequestValidation::isTokenId);
      boolean allItemsValid =
          list.stream()
              .allMatch(
                  item ->
                      item instanceof String
                          || item instanceof List<?> ids
                              && !ids.isEmpty()
                              && ids.stream().allMatch(MockRequestValidation::isTokenId));
      if (allNumbers || allItemsValid) {
        return;
      }
    }
    throw ApiError.invalid(
        "input", "'input' must be a string or a non-empty array of strings or token ids");
  }

  /** {@code max_tokens} / {@code max_completion_tokens} positive integers, {@code n >= 1}. */
  private static void sampling(Map<String, Object> body) {
    for (String name : List.of("max_tokens", "max_completion_tokens")) {
      Object value = body.get(name);
      if (value != null && !positiveInteger(value)) {
        throw ApiError.invalid(
            name, "'" + name + "' must be a positive integer; got " + describe(value));
      }
    }
    Object n = body.get("n");
    if (n != null && !positiveInteger(n)) {
      throw ApiError.invalid("n", "'n' must be an integer >= 1; got " + describe(n));
    }
  }

  private static boolean positiveInteger(Object value) {
    return value instanceof Number number
        && number.doubleValue() == Math.rint(number.doubleValue())
        && number.doubleValue() >= 1;
  }

  private static boolean isTokenId(Object value) {
    return value instanceof Number number
        && number.doubleValue() == Math.rint(number.doubleValue())
        && number.doubleValue() >= 0;
  }

  private static String describe(Object value) {
    if (value instanceof String text) {
      return "'" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'";
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    if (value instanceof Map<?, ?>) {
      return "an object";
    }
    return String.valueOf(value);
  }
}

package io.sage.engine.embedding.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI {@code POST /v1/embeddings} body, checked field by field.
 *
 * @param base64 whether vectors go back as base64 of little-endian float32 instead of numbers
 */
record EmbeddingRequest(String model, List<String> inputs, boolean base64, Integer dimensions) {

  static EmbeddingRequest parse(JsonNode body, int maxInputs) {
    if (body == null || !body.isObject()) {
      throw ApiException.invalid(null, "the request body must be a JSON object");
    }
    JsonNode model = body.get("model");
    if (model == null || !model.isTextual() || model.asText().isBlank()) {
      throw ApiException.invalid("model", "'model' is required and must be a string");
    }
    return new EmbeddingRequest(
        model.asText(),
        inputs(body.get("input"), maxInputs),
        base64(body.get("encoding_format")),
        dimensions(body.get("dimensions")));
  }

  private static List<String> inputs(JsonNode input, int maxInputs) {
    if (input == null || input.isNull()) {
      throw ApiException.invalid("input", "'input' is required: a string or an array of strings");
    }
    if (input.isTextual()) {
      return List.of(checkText(input.asText(), "input"));
    }
    if (!input.isArray()) {
      throw ApiException.invalid("input", "'input' must be a string or an array of strings");
    }
    if (input.isEmpty()) {
      throw ApiException.invalid("input", "'input' must not be an empty array");
    }
    if (input.size() > maxInputs) {
      throw ApiException.invalid(
          "input",
          "'input' holds "
              + input.size()
              + " items; this engine accepts at most "
              + maxInputs
              + " per request");
    }
    List<String> texts = new ArrayList<>(input.size());
    for (int i = 0; i < input.size(); i++) {
      JsonNode item = input.get(i);
      if (item.isNumber() || item.isArray()) {
        throw ApiException.invalid(
            "input",
            "token arrays are not supported by this engine (its tokenizer is not OpenAI's); send text instead");
      }
      if (!item.isTextual()) {
        throw ApiException.invalid("input", "input[" + i + "] must be a string");
      }
      texts.add(checkText(item.asText(), "input[" + i + "]"));
    }
    return texts;
  }

  private static String checkText(String text, String where) {
    if (text.isBlank()) {
      throw ApiException.invalid(
          "input", where + " is empty or only whitespace; there is nothing to embed");
    }
    return text;
  }

  private static boolean base64(JsonNode format) {
    if (format == null || format.isNull()) {
      return false;
    }
    if (format.isTextual() && format.asText().equals("float")) {
      return false;
    }
    if (format.isTextual() && format.asText().equals("base64")) {
      return true;
    }
    throw ApiException.invalid(
        "encoding_format", "'encoding_format' must be 'float' or 'base64', got " + format);
  }

  private static Integer dimensions(JsonNode dimensions) {
    if (dimensions == null || dimensions.isNull()) {
      return null;
    }
    if (!dimensions.isInt() || dimensions.asInt() < 1) {
      throw ApiException.invalid("dimensions", "'dimensions' must be a positive integer");
    }
    return dimensions.asInt();
  }
}

package io.sage.gateway.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON request body read with strict types: each getter checks the field's type and collects a
 * problem instead of guessing, so a bad body answers one 400 naming every wrong field.
 */
public final class JsonBody {
  /** Strict: a key given twice or anything after the object is a 400, not silently ignored. */
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final ObjectNode node;
  private final List<String> problems = new ArrayList<>();

  private JsonBody(ObjectNode node) {
    this.node = node;
  }

  /** Parses a body that must be a JSON object; an empty body counts as {@code {}} when allowed. */
  public static JsonBody parse(byte[] body, boolean emptyAllowed) {
    if (body == null || body.length == 0 || isBlank(body)) {
      if (emptyAllowed) {
        return new JsonBody(MAPPER.createObjectNode());
      }
      throw SageException.invalid(null, "request body is empty; expected a JSON object");
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new SageException(
          ErrorCode.INVALID_REQUEST,
          "request body is not valid JSON: " + e.getOriginalMessage(),
          null);
    } catch (java.io.IOException e) {
      throw new SageException(ErrorCode.INVALID_REQUEST, "request body could not be read", null);
    }
    if (!(tree instanceof ObjectNode object)) {
      throw SageException.invalid(null, "request body must be a JSON object");
    }
    return new JsonBody(object);
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (!Character.isWhitespace(b)) {
        return false;
      }
    }
    return true;
  }

  public String string(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      problems.add(field + " must be a string");
      return null;
    }
    return value.asText();
  }

  public Integer integer(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      problems.add(field + " must be an integer");
      return null;
    }
    return value.intValue();
  }

  public Boolean bool(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isBoolean()) {
      problems.add(field + " must be true or false");
      return null;
    }
    return value.booleanValue();
  }

  public List<Integer> integers(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    List<Integer> result = new ArrayList<>();
    if (!value.isArray()) {
      problems.add(field + " must be an array of integers");
      return null;
    }
    for (JsonNode item : value) {
      if (!item.isIntegralNumber() || !item.canConvertToInt()) {
        problems.add(field + " must be an array of integers");
        return null;
      }
      result.add(item.intValue());
    }
    return result;
  }

  public List<String> strings(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isArray()) {
      problems.add(field + " must be an array of strings");
      return null;
    }
    List<String> result = new ArrayList<>();
    for (JsonNode item : value) {
      if (!item.isTextual()) {
        problems.add(field + " must be an array of strings");
        return null;
      }
      result.add(item.asText());
    }
    return result;
  }

  /** An object whose values are strings, numbers or booleans, all turned into strings. */
  public Map<String, String> scalarMap(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isObject()) {
      problems.add(field + " must be an object");
      return null;
    }
    Map<String, String> result = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      JsonNode v = entry.getValue();
      if (v.isTextual() || v.isBoolean()) {
        result.put(entry.getKey(), v.asText());
      } else if (v.isNumber() && !v.isIntegralNumber() && !Double.isFinite(v.doubleValue())) {
        // 1e999 reads as infinity, which has no decimal form
        problems.add(field + "." + entry.getKey() + " must be a finite number");
      } else if (v.isNumber()) {
        result.put(
            entry.getKey(),
            v.isIntegralNumber()
                ? v.bigIntegerValue().toString()
                : v.decimalValue().toPlainString());
      } else {
        problems.add(field + "." + entry.getKey() + " must be a string, number or boolean");
      }
    }
    return result;
  }

  /** Throws one 400 naming every field of the wrong type. */
  public void throwIfInvalid() {
    if (!problems.isEmpty()) {
      throw SageException.invalid(null, "invalid request body: " + String.join("; ", problems));
    }
  }
}

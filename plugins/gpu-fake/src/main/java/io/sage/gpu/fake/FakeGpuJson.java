package io.sage.gpu.fake;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the fake GPU file, a JSON array of flat objects (values are strings, numbers, booleans or
 * null), with Jackson (shaded into the plugin jar). Numbers come back as {@link
 * java.math.BigDecimal}, null as {@link #NULL}, so {@link FakeGpuEntries} can report what exactly
 * the operator wrote.
 */
final class FakeGpuJson {
  /** Stands for a JSON {@code null} (maps cannot hold null values safely). */
  static final Object NULL = new Object();

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private FakeGpuJson() {}

  /** Parses the whole text; a problem is an {@link IllegalArgumentException} naming the place. */
  static List<Map<String, Object>> parseArrayOfObjects(String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "malformed JSON " + where(e.getLocation()) + ": " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode()) {
      throw malformed("at end of input: the file must hold a JSON array '[...]'");
    }
    if (!root.isArray()) {
      throw malformed("line 1, column 1: the file must hold a JSON array '[...]'");
    }
    List<Map<String, Object>> entries = new ArrayList<>(root.size());
    for (JsonNode entry : root) {
      if (!entry.isObject()) {
        throw malformed("entry " + entries.size() + " must be a JSON object '{...}'");
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = entry.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        fields.put(field.getKey(), plain(field.getKey(), field.getValue()));
      }
      entries.add(fields);
    }
    return entries;
  }

  private static Object plain(String key, JsonNode value) {
    if (value.isNull()) {
      return NULL;
    }
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isNumber()) {
      return value.decimalValue();
    }
    throw malformed("field \"" + key + "\" must be a plain value, not a nested object or array");
  }

  private static String where(JsonLocation location) {
    if (location == null || location.getLineNr() < 0) {
      return "at end of input";
    }
    return "line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  private static IllegalArgumentException malformed(String message) {
    return new IllegalArgumentException("malformed JSON " + message);
  }
}

package io.sage.client.management;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Lenient readers for management JSON: absent or null fields become null, not errors. */
final class JsonFields {

  private JsonFields() {}

  static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  static Integer integer(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isNumber()) {
      return value.intValue();
    }
    try {
      return Integer.valueOf(value.asText().trim());
    } catch (NumberFormatException notNumber) {
      return null;
    }
  }

  static Long longValue(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : Long.valueOf(value.asLong());
  }

  static int count(JsonNode node, String field) {
    return node.path(field).asInt(0);
  }

  static List<Integer> integers(JsonNode node, String field) {
    List<Integer> values = new ArrayList<>();
    for (JsonNode item : node.path(field)) {
      values.add(item.asInt());
    }
    return values;
  }

  static List<String> texts(JsonNode node, String field) {
    List<String> values = new ArrayList<>();
    for (JsonNode item : node.path(field)) {
      values.add(item.asText());
    }
    return values;
  }

  /**
   * An ISO-8601 instant ({@code 2024-05-01T10:00:00Z}, with an offset, or without a zone meaning
   * UTC) or epoch seconds/milliseconds; null when absent or unreadable (the raw JSON keeps it).
   */
  static Instant instant(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isNumber()) {
      double number = value.asDouble();
      return number > 1e11
          ? Instant.ofEpochMilli((long) number)
          : Instant.ofEpochMilli(Math.round(number * 1000));
    }
    String text = value.asText();
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notOffset) {
      try {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException notLocal) {
        return null;
      }
    }
  }
}

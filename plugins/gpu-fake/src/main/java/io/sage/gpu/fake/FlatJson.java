package io.sage.gpu.fake;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON array of flat objects (values are strings, numbers, booleans or null). The plugin
 * sees only the SPI, PF4J and SLF4J from the host, and this format is too small to justify bundling
 * a JSON library. Numbers come back as {@link BigDecimal}, null as {@link #NULL}.
 */
final class FlatJson {
  /** Stands for a JSON {@code null} (maps cannot hold null values safely). */
  static final Object NULL = new Object();

  private final String text;
  private int pos;

  private FlatJson(String text) {
    this.text = text;
  }

  /** Parses the whole text; a problem is an {@link IllegalArgumentException} naming the place. */
  static List<Map<String, Object>> parseArrayOfObjects(String text) {
    FlatJson parser = new FlatJson(text);
    List<Map<String, Object>> result = parser.array();
    parser.skipWhitespace();
    if (parser.pos < text.length()) {
      throw parser.error("unexpected text after the closing ']'");
    }
    return result;
  }

  private List<Map<String, Object>> array() {
    expect('[', "the file must hold a JSON array '[...]'");
    List<Map<String, Object>> entries = new ArrayList<>();
    if (peek() == ']') {
      pos++;
      return entries;
    }
    do {
      entries.add(object(entries.size()));
    } while (comma(']'));
    return entries;
  }

  private Map<String, Object> object(int entry) {
    expect('{', "entry " + entry + " must be a JSON object '{...}'");
    Map<String, Object> fields = new LinkedHashMap<>();
    if (peek() == '}') {
      pos++;
      return fields;
    }
    do {
      skipWhitespace();
      int keyAt = pos;
      String key = string();
      expect(':', "expected ':' after \"" + key + "\"");
      if (fields.put(key, value(key)) != null) {
        pos = keyAt;
        throw error("entry " + entry + " repeats field \"" + key + "\"");
      }
    } while (comma('}'));
    return fields;
  }

  private Object value(String key) {
    char c = peek();
    if (c == '"') {
      return string();
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return number();
    }
    for (String word : new String[] {"true", "false", "null"}) {
      if (text.startsWith(word, pos)) {
        pos += word.length();
        return word.equals("null") ? NULL : Boolean.valueOf(word);
      }
    }
    if (c == '{' || c == '[') {
      throw error("field \"" + key + "\" must be a plain value, not a nested object or array");
    }
    throw error("field \"" + key + "\" has no valid JSON value");
  }

  private BigDecimal number() {
    int start = pos;
    while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
    try {
      return new BigDecimal(text.substring(start, pos));
    } catch (NumberFormatException e) {
      pos = start;
      throw error("malformed number");
    }
  }

  private String string() {
    expect('"', "expected a string in double quotes");
    StringBuilder out = new StringBuilder();
    while (pos < text.length()) {
      char c = text.charAt(pos++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw error("control character inside a string");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (pos >= text.length()) {
        break;
      }
      char escaped = text.charAt(pos++);
      switch (escaped) {
        case '"', '\\', '/' -> out.append(escaped);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> out.append(unicodeEscape());
        default -> throw error("unknown escape '\\" + escaped + "'");
      }
    }
    throw error("unterminated string");
  }

  private char unicodeEscape() {
    if (pos + 4 > text.length()) {
      throw error("truncated \\u escape");
    }
    try {
      char c = (char) Integer.parseInt(text.substring(pos, pos + 4), 16);
      pos += 4;
      return c;
    } catch (NumberFormatException e) {
      throw error("malformed \\u escape");
    }
  }

  /** Consumes a ',' (true: another element follows) or the closing character (false). */
  private boolean comma(char closing) {
    char c = peek();
    if (c == ',') {
      pos++;
      return true;
    }
    expect(closing, "expected ',' or '" + closing + "'");
    return false;
  }

  private void expect(char c, String message) {
    if (peek() != c) {
      throw error(message);
    }
    pos++;
  }

  private char peek() {
    skipWhitespace();
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipWhitespace() {
    while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
  }

  private IllegalArgumentException error(String message) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(pos, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    String where = pos >= text.length() ? "at end of input" : "line " + line + ", column " + column;
    return new IllegalArgumentException("malformed JSON " + where + ": " + message);
  }
}

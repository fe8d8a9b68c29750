package io.sage.engine.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {

  @Test
  void readsNestedValues() {
    Object value =
        JsonReader.parse(
            " {\"a\": [1, -2.5e2, true, false, null], \"b\": {\"c\": \"x\\\"y\\n\\u00e9\\/\"},"
                + " \"d\": []} ");
    assertThat(value).isInstanceOf(Map.class);
    Map<?, ?> map = (Map<?, ?>) value;
    assertThat(map.get("a")).isEqualTo(Arrays.asList(1.0, -250.0, true, false, null));
    assertThat(map.get("b")).isEqualTo(Map.of("c", "x\"y\né/"));
    assertThat(map.get("d")).isEqualTo(List.of());
  }

  @Test
  void keepsNonAsciiText() {
    assertThat(JsonReader.parse("\"héllo 世界\"")).isEqualTo("héllo 世界");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{",
        "{\"a\":}",
        "{\"a\" 1}",
        "[1,]",
        "[1 2]",
        "01x",
        "tru",
        "\"abc",
        "{\"a\":1}x",
        "\"\\q\"",
        "{a:1}",
        "-",
        "1.",
        "\"\\u12\""
      })
  void rejectsMalformedJson(String text) {
    assertThatThrownBy(() -> JsonReader.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at offset");
  }

  @Test
  void rejectsAbsurdNesting() {
    assertThatThrownBy(() -> JsonReader.parse("[".repeat(10_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nesting");
  }
}

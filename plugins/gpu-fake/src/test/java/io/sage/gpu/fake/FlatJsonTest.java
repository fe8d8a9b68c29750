package io.sage.gpu.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlatJsonTest {

  @Test
  void readsFlatObjectsWithEveryValueType() {
    List<Map<String, Object>> entries =
        FlatJson.parseArrayOfObjects(
            " [ {\"a\": 1, \"b\": -2.5e1, \"c\": \"x\\\"y\\u00e9\\n\", \"d\": true, \"e\": null},"
                + "\n{} ] ");

    assertThat(entries).hasSize(2);
    Map<String, Object> first = entries.get(0);
    assertThat(first).containsOnlyKeys("a", "b", "c", "d", "e");
    assertThat(first.get("a")).isEqualTo(new BigDecimal("1"));
    assertThat(((BigDecimal) first.get("b")).doubleValue()).isEqualTo(-25.0);
    assertThat(first.get("c")).isEqualTo("x\"y\u00e9\n");
    assertThat(first.get("d")).isEqualTo(Boolean.TRUE);
    assertThat(first.get("e")).isSameAs(FlatJson.NULL);
    assertThat(entries.get(1)).isEmpty();
  }

  @Test
  void readsAnEmptyArray() {
    assertThat(FlatJson.parseArrayOfObjects("[]")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''                          | at end of input: the file must hold a JSON array",
        "{}                          | line 1, column 1: the file must hold a JSON array",
        "[1]                         | entry 0 must be a JSON object",
        "[{\"a\": 1} {\"b\": 2}]     | line 1, column 11: expected ',' or ']'",
        "[{\"a\" 1}]                 | expected ':' after \"a\"",
        "[{\"a\": 1, \"a\": 2}]      | entry 0 repeats field \"a\"",
        "[{\"a\": {\"b\": 1}}]       | field \"a\" must be a plain value, not a nested object",
        "[{\"a\": [1]}]              | field \"a\" must be a plain value",
        "[{\"a\": nope}]             | field \"a\" has no valid JSON value",
        "[{\"a\": 1-2}]              | malformed number",
        "[{\"a\": \"open}]           | unterminated string",
        "[{\"a\": \"\\q\"}]          | unknown escape",
        "[{\"a\": \"\\u12\"}]        | malformed \\u escape",
        "[{\"a\": 1,}]               | expected a string in double quotes",
        "[{\"a\": 1}] x              | unexpected text after the closing ']'",
        "[{\"a\": 1}                 | at end of input: expected ',' or ']'",
      })
  void reportsWhereAndWhatIsWrong(String text, String expected) {
    assertThatThrownBy(() -> FlatJson.parseArrayOfObjects(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("malformed JSON")
        .hasMessageContaining(expected);
  }

  @Test
  void countsLinesAndColumns() {
    assertThatThrownBy(() -> FlatJson.parseArrayOfObjects("[\n  {\"a\": 1},\n  {\"b\" 2}\n]"))
        .hasMessageContaining("line 3, column 8");
  }
}

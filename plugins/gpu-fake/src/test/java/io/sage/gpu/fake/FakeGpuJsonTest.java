package io.sage.gpu.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FakeGpuJsonTest {

  @Test
  void readsFlatObjectsWithEveryValueType() {
    List<Map<String, Object>> entries =
        FakeGpuJson.parseArrayOfObjects(
            " [ {\"a\": 1, \"b\": -2.5e1, \"c\": \"x\\\"y\\u00e9\\n\", \"d\": true, \"e\": null},"
                + "\n{} ] ");

    assertThat(entries).hasSize(2);
    Map<String, Object> first = entries.get(0);
    assertThat(first).containsOnlyKeys("a", "b", "c", "d", "e");
    assertThat(first.get("a")).isEqualTo(new BigDecimal("1"));
    assertThat(((BigDecimal) first.get("b")).doubleValue()).isEqualTo(-25.0);
    assertThat(first.get("c")).isEqualTo("x\"y\u00e9\n");
    assertThat(first.get("d")).isEqualTo(Boolean.TRUE);
    assertThat(first.get("e")).isSameAs(FakeGpuJson.NULL);
    assertThat(entries.get(1)).isEmpty();
  }

  @Test
  void readsAnEmptyArray() {
    assertThat(FakeGpuJson.parseArrayOfObjects("[]")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''                          | at end of input: the file must hold a JSON array",
        "{}                          | line 1, column 1: the file must hold a JSON array",
        "[1]                         | entry 0 must be a JSON object",
        "[{\"a\": 1} {\"b\": 2}]     | line 1, column 11",
        "[{\"a\" 1}]                 | line 1, column 7: Unexpected character ('1' (code 49)): was expecting a colon",
        "[{\"a\": 1, \"a\": 2}]      | Duplicate field 'a'",
        "[{\"a\": {\"b\": 1}}]       | field \"a\" must be a plain value, not a nested object",
        "[{\"a\": [1]}]              | field \"a\" must be a plain value",
        "[{\"a\": nope}]             | Unrecognized token 'nope'",
        "[{\"a\": 1-2}]              | line 1, column",
        "[{\"a\": \"open}]           | end-of-input",
        "[{\"a\": \"\\q\"}]          | Unrecognized character escape",
        "[{\"a\": \"\\u12\"}]        | line 1, column",
        "[{\"a\": 1,}]               | line 1, column 10",
        "[{\"a\": 1}] x              | Unrecognized token 'x'",
        "[{\"a\": 1}                 | end-of-input",
      })
  void reportsWhereAndWhatIsWrong(String text, String expected) {
    assertThatThrownBy(() -> FakeGpuJson.parseArrayOfObjects(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("malformed JSON")
        .hasMessageContaining(expected);
  }

  @Test
  void countsLinesAndColumns() {
    assertThatThrownBy(() -> FakeGpuJson.parseArrayOfObjects("[\n  {\"a\": 1},\n  {\"b\" 2}\n]"))
        .hasMessageContaining("line 3, column");
  }
}

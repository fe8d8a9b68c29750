package io.sage.engine.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MockRequestTest {

  private static MockRequest parse(String json) {
    return MockRequest.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsTheFieldsTheMockUses() {
    MockRequest request =
        parse(
            "{\"model\": \"m\", \"stream\": true, \"stream_options\": {\"include_usage\": true},"
                + " \"max_tokens\": 5.0, \"messages\": [{\"role\": \"user\", \"content\":"
                + " \"héllo 世界 \\\"x\\\"\"}], \"encoding_format\": null}");
    assertThat(request.model()).contains("m");
    assertThat(request.flag("stream")).isTrue();
    assertThat(request.includeUsage()).isTrue();
    assertThat(request.maxTokens(16, 100)).isEqualTo(5);
    assertThat(request.string("encoding_format")).isEmpty();
    assertThat(MockRequest.countWords(request.get("messages"))).isEqualTo(3);
  }

  @Test
  void countsTokenIdsAsWordsAndWritesThemAsText() {
    MockRequest request = parse("{\"input\": [1, 2, 3]}");
    assertThat(MockRequest.countWords(request.get("input"))).isEqualTo(3);
    assertThat(MockRequest.tokenIds(request.get("input"))).contains("[1.0, 2.0, 3.0]");
  }

  @Test
  void theLastOfDuplicateKeysWins() {
    assertThat(parse("{\"model\": \"a\", \"model\": \"b\"}").model()).contains("b");
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
  void rejectsMalformedJsonWith400(String text) {
    assertThatThrownBy(() -> parse(text))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void rejectsAbsurdNesting() {
    assertThatThrownBy(() -> parse("[".repeat(10_000)))
        .isInstanceOf(ApiError.class)
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("nesting");
  }

  @Test
  void rejectsWhatIsNotAnObject() {
    assertThatThrownBy(() -> parse("[1]")).hasMessageContaining("must be a JSON object");
  }

  @Test
  void namesTheWronglyTypedField() {
    assertThatThrownBy(() -> parse("{\"model\": 1}").model())
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("model"));
    assertThatThrownBy(() -> parse("{\"stream\": \"yes\"}").flag("stream"))
        .hasMessageContaining("'stream' must be a boolean");
    assertThatThrownBy(() -> parse("{\"max_tokens\": 2.5}").maxTokens(16, 100))
        .hasMessageContaining("'max_tokens' must be an integer >= 1");
    assertThatThrownBy(() -> parse("{\"max_tokens\": 500}").maxTokens(16, 100))
        .hasMessageContaining("must be at most 100, got 500.0");
    assertThatThrownBy(() -> parse("{\"stream_options\": 1}").includeUsage())
        .hasMessageContaining("'stream_options' must be an object");
  }
}

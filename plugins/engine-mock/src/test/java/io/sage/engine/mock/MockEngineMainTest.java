package io.sage.engine.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class MockEngineMainTest {

  @Test
  void parsesTheLaunchCommandLine() {
    MockServerConfig config =
        MockEngineMain.parse(
            new String[] {
              "--host",
              "127.0.0.1",
              "--port",
              "8123",
              "--model",
              "m",
              "--kind",
              "embedding",
              "--option",
              "embedding_dim=8",
              "--option",
              "latency_ms=2"
            },
            Optional.of("secret"));
    assertThat(config.port()).isEqualTo(8123);
    assertThat(config.embedding()).isTrue();
    assertThat(config.options().embeddingDim()).isEqualTo(8);
    assertThat(config.options().latency().toMillis()).isEqualTo(2);
    assertThat(config.apiKey()).hasValue("secret");
  }

  @Test
  void aBlankKeyMeansNoAuthentication() {
    MockServerConfig config =
        MockEngineMain.parse(new String[] {"--port", "1", "--model", "m"}, Optional.of(" "));
    assertThat(config.apiKey()).isEmpty();
    assertThat(config.embedding()).isFalse();
  }

  @Test
  void reportsEveryBadArgumentAtOnce() {
    assertThatThrownBy(
            () ->
                MockEngineMain.parse(
                    new String[] {
                      "--port",
                      "x",
                      "--kind",
                      "tts",
                      "--option",
                      "nope",
                      "--zzz",
                      "1",
                      "--option",
                      "hang_after_s=-1"
                    },
                    Optional.empty()))
        .hasMessageContaining("--port must be within 0..65535, got 'x'")
        .hasMessageContaining("--kind must be llm or embedding")
        .hasMessageContaining("--option needs name=value")
        .hasMessageContaining("unknown argument --zzz")
        .hasMessageContaining("--model is required")
        .hasMessageContaining("'hang_after_s' must be a number >= 0");
  }
}

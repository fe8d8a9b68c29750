package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: an engine that does not answer in time is a 504 in the OpenAI shape and frees its
 * in-flight slot, while a stream that keeps sending outlives the same timeout.
 */
class EngineTimeoutIT {
  @TempDir Path dataDir;

  @Test
  void aSlowEngineIsA504AndALongStreamIsNotCut() {
    try (Gateway gateway =
        Gateway.start(dataDir, Map.of("MICRONAUT_HTTP_CLIENT_READ_TIMEOUT", "2s"))) {
      String slow =
          gateway.startEngine(
              "{\"model\":\"too-slow\",\"runtime\":\"mock\",\"options\":{\"latency_ms\":6000}}");
      String paced =
          gateway.startEngine(
              "{\"model\":\"paced\",\"runtime\":\"mock\",\"options\":{\"tokens_per_second\":5}}");
      gateway.awaitState(slow, "READY", Duration.ofSeconds(30));
      gateway.awaitState(paced, "READY", Duration.ofSeconds(30));

      Http.Response timedOut =
          gateway.post(
              "/v1/chat/completions",
              "{\"model\":\"too-slow\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      EngineLifecycleIT.expectError(timedOut, 504);
      assertThat(timedOut.json().at("/error/code").asText()).isEqualTo("engine_timeout");
      assertThat(timedOut.header("x-sage-engine-id")).isEqualTo(slow);
      gateway.awaitEngine(slow, Duration.ofSeconds(10), e -> e.get("active_requests").asInt() == 0);
      assertThat(gateway.engine(slow).get("state").asText()).isEqualTo("READY");

      // 15 tokens at 5 per second: three seconds of streaming, longer than the 2 s timeout
      Http.Response stream =
          gateway.post(
              "/v1/chat/completions",
              "{\"model\":\"paced\",\"stream\":true,\"max_tokens\":15,"
                  + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.body()).endsWith("data: [DONE]\n\n");
      assertThat(stream.body().split("data: ").length - 1).isEqualTo(16);
    }
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }
}

package io.sage.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static AccessLogEntry entry(String id) {
    return new AccessLogEntry(
        1_700_000_000_123L,
        id,
        "key-1",
        "/v1/chat/completions",
        "m",
        true,
        "eng-1",
        200,
        true,
        12_345_678,
        1_500_000,
        80,
        900,
        1,
        null);
  }

  @Test
  void writesOneJsonObjectPerLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("logs/access.log");
    try (AccessLogWriter writer = new AccessLogWriter(file, 1 << 20, 100)) {
      assertThat(writer.offer(entry("req-1"))).isTrue();
      assertThat(
              writer.offer(
                  new AccessLogEntry(
                      1_700_000_000_000L,
                      "req-\"2\"",
                      "anonymous",
                      "/v1/embeddings",
                      "e",
                      false,
                      null,
                      404,
                      true,
                      1_000,
                      -1,
                      10,
                      0,
                      0,
                      "model 'e' does not exist")))
          .isTrue();
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("time").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
    assertThat(first.get("request_id").asText()).isEqualTo("req-1");
    assertThat(first.get("key_id").asText()).isEqualTo("key-1");
    assertThat(first.get("engine").asText()).isEqualTo("eng-1");
    assertThat(first.get("latency_ms").asDouble()).isEqualTo(12.346);
    assertThat(first.get("ttfb_ms").asDouble()).isEqualTo(1.5);
    assertThat(first.get("bytes_out").asLong()).isEqualTo(900);
    assertThat(first.get("retries").asInt()).isEqualTo(1);
    JsonNode second = JSON.readTree(lines.get(1));
    assertThat(second.get("request_id").asText()).isEqualTo("req-\"2\"");
    assertThat(second.get("engine").isNull()).isTrue();
    assertThat(second.get("ttfb_ms").isNull()).isTrue();
    assertThat(second.get("error").asText()).contains("does not exist");
  }

  @Test
  void rotatesBySize(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.log");
    try (AccessLogWriter writer = new AccessLogWriter(file, 600, 100)) {
      for (int i = 0; i < 10; i++) {
        writer.offer(entry("req-" + i));
        Thread.sleep(20);
      }
    }
    assertThat(Files.exists(dir.resolve("access.log.1"))).isTrue();
    assertThat(Files.exists(dir.resolve("access.log.4"))).isFalse();
  }

  @Test
  void aFullQueueDropsAndCounts(@TempDir Path dir) {
    AccessLogWriter writer = new AccessLogWriter(dir.resolve("access.log"), 1 << 20, 1);
    writer.close();
    assertThat(writer.offer(entry("late"))).isFalse();
    assertThat(writer.dropped()).isEqualTo(1);
  }
}

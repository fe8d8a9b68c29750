package io.sage.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UsageTailTest {

  private static void feed(UsageTail tail, String text, int chunkSize) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += chunkSize) {
      tail.append(ByteBuffer.wrap(bytes, i, Math.min(chunkSize, bytes.length - i)));
    }
  }

  @Test
  void readsUsageAtTheEndOfAJsonBody() {
    UsageTail tail = new UsageTail();
    feed(
        tail,
        "{\"id\":\"x\",\"choices\":[{\"text\":\""
            + "a".repeat(20_000)
            + "\"}],"
            + "\"usage\": {\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19},\"kv\":null}",
        1000);
    assertThat(tail.usage()).contains(new UsageTail.Usage(12, 7));
  }

  @Test
  void readsTheLastUsageOfAStreamAndIgnoresTheNullOnes() {
    StringBuilder stream = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      stream.append("data: {\"choices\":[{\"delta\":{\"content\":\"tok\"}}],\"usage\":null}\n\n");
    }
    stream.append(
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":200}}\n\n");
    stream.append("data: [DONE]\n\n");
    UsageTail tail = new UsageTail();
    feed(tail, stream.toString(), 37);
    assertThat(tail.usage()).contains(new UsageTail.Usage(3, 200));
  }

  @Test
  void aStreamWithoutUsageHasNone() {
    UsageTail tail = new UsageTail();
    feed(
        tail,
        "data: {\"choices\":[],\"usage\":null}\n\ndata: {\"content\":\"\\\"usage\\\": {\\\"prompt_tokens\\\":9}\"}\n\n"
            + "data: [DONE]\n\n",
        5);
    assertThat(tail.usage()).isEmpty();
    assertThat(new UsageTail().usage()).isEmpty();
  }

  @Test
  void aCutUsageObjectIsNotCounted() {
    UsageTail tail = new UsageTail();
    feed(tail, "{\"usage\":{\"prompt_tokens\":3,\"completion_tok", 8);
    assertThat(tail.usage()).isEmpty();
  }

  @Test
  void embeddingUsageHasPromptTokensOnly() {
    UsageTail tail = new UsageTail();
    feed(
        tail,
        "{\"data\":[{\"embedding\":[0.1,0.2]}],\"model\":\"m\",\"usage\":{\"prompt_tokens\":4,\"total_tokens\":4}}",
        UsageTail.CAPACITY + 10);
    assertThat(tail.usage()).contains(new UsageTail.Usage(4, 0));
  }
}

package io.sage.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class ResponseRelayTest {
  private static final StallWatch WATCH =
      new StallWatch(Duration.ofMinutes(1), System::nanoTime, false);
  private static final String FIRST =
      "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\n";
  private static final String LAST =
      "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}\n\n"
          + "data: [DONE]\n\n";

  private static Flux<ByteBuf> engine() {
    return Flux.just(FIRST, LAST).map(text -> Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }

  @Test
  void theHeldLastChunkOfASessionStreamIsStrippedOfTheAddedUsage() {
    List<String> observed = new CopyOnWriteArrayList<>();
    List<String> sent = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> stored = new CompletableFuture<>();
    ResponseRelay.stages(
            engine(),
            buf -> {
              observed.add(buf.toString(StandardCharsets.UTF_8));
              return buf;
            },
            WATCH,
            true,
            () -> stored)
        .subscribe(chunk -> sent.add(chunk.toString(StandardCharsets.UTF_8)));

    // the listeners saw the engine's own bytes, usage included
    assertThat(String.join("", observed)).isEqualTo(FIRST + LAST);
    // until the turn is stored, the last chunk ([DONE]) is held back
    assertThat(String.join("", sent)).doesNotContain("[DONE]");
    stored.complete(null);
    assertThat(String.join("", sent))
        .isEqualTo(
            "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n"
                + "data: [DONE]\n\n");
  }

  @Test
  void withoutStripOrHoldTheEngineBytesPassAsTheyAre() {
    List<String> sent = new CopyOnWriteArrayList<>();
    ResponseRelay.stages(engine(), buf -> buf, WATCH, false, null)
        .subscribe(chunk -> sent.add(chunk.toString(StandardCharsets.UTF_8)));
    assertThat(sent).containsExactly(FIRST, LAST);
  }
}

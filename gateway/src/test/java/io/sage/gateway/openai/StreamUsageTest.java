package io.sage.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sage.gateway.config.UsageConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class StreamUsageTest {
  private final StreamUsage usage = new StreamUsage(usage(true));

  private byte[] upstream(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return usage.upstreamBody(InferenceRequest.inspect(bytes), bytes);
  }

  @Test
  void asksForUsageOnlyForStreamsThatDidNot() {
    String plain = "{\"model\":\"m\",\"messages\":[]}";
    assertThat(upstream(plain)).isEqualTo(plain.getBytes(StandardCharsets.UTF_8));
    String asked = "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    assertThat(new String(upstream(asked), StandardCharsets.UTF_8)).isEqualTo(asked);
    assertThat(new String(upstream("{\"model\":\"m\",\"stream\":true} \n"), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}} \n");
    String otherOptions =
        new String(
            upstream(
                "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":false,\"x\":1}}"),
            StandardCharsets.UTF_8);
    assertThat(
            InferenceRequest.inspect(otherOptions.getBytes(StandardCharsets.UTF_8)).includeUsage())
        .isTrue();
    assertThat(otherOptions).contains("\"x\":1");
    assertThat(
            new StreamUsage(usage(false))
                .upstreamBody(
                    InferenceRequest.inspect(
                        "{\"model\":\"m\",\"stream\":true}".getBytes(StandardCharsets.UTF_8)),
                    "{\"model\":\"m\",\"stream\":true}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("{\"model\":\"m\",\"stream\":true}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aNullStreamOptionsIsReplacedNotDuplicated() {
    String rewritten =
        new String(
            upstream("{\"model\":\"m\",\"stream\":true,\"stream_options\":null}"),
            StandardCharsets.UTF_8);
    // inspect refuses duplicate keys, so this also proves there is one stream_options
    assertThat(InferenceRequest.inspect(rewritten.getBytes(StandardCharsets.UTF_8)).includeUsage())
        .isTrue();
  }

  @Test
  void takesTheAddedUsageOutOfTheStreamWhereverTheChunksSplit() {
    String withUsage =
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"usage\":null}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"usage\"}}],\"usage\":null}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":2,\"total_tokens\":4}}\n\n"
            + "data: [DONE]\n\n";
    String without =
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"usage\"}}]}\n\n"
            + "data: [DONE]\n\n";
    byte[] bytes = withUsage.getBytes(StandardCharsets.UTF_8);
    for (int size = 1; size <= bytes.length; size += 7) {
      List<ByteBuf> chunks = new ArrayList<>();
      for (int at = 0; at < bytes.length; at += size) {
        chunks.add(Unpooled.copiedBuffer(bytes, at, Math.min(size, bytes.length - at)));
      }
      StringBuilder out = new StringBuilder();
      StreamUsage.strip(Flux.fromIterable(chunks))
          .doOnNext(
              b -> {
                out.append(b.toString(StandardCharsets.UTF_8));
                b.release();
              })
          .blockLast();
      assertThat(out.toString()).as("chunks of %d bytes", size).isEqualTo(without);
      assertThat(chunks).allMatch(c -> c.refCnt() == 0);
    }
  }

  @Test
  void takesOutUsageWhereverTheEngineWritesItAndLeavesOtherEventsAlone() {
    String engine =
        "data: {\"usage\":null,\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"\\\"usage\\\":{\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"\\\"usage\\\":null\"}}],\"usage\":null}\n\n"
            + ": a comment with \"usage\":null\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":2}}\n\n"
            + "data: [DONE]\n\n";
    String client =
        "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"\\\"usage\\\":{\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"\\\"usage\\\":null\"}}]}\n\n"
            + ": a comment with \"usage\":null\n\n"
            + "data: [DONE]\n\n";
    StringBuilder out = new StringBuilder();
    StreamUsage.strip(Flux.just(Unpooled.copiedBuffer(engine, StandardCharsets.UTF_8)))
        .doOnNext(
            b -> {
              out.append(b.toString(StandardCharsets.UTF_8));
              b.release();
            })
        .blockLast();
    assertThat(out.toString()).isEqualTo(client);
  }

  @Test
  void anUnfinishedLastEventGoesOutAsItIs() {
    ByteBuf cut = Unpooled.copiedBuffer("data: {\"choices\":[]", StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder();
    StreamUsage.strip(Flux.just(cut))
        .doOnNext(
            b -> {
              out.append(b.toString(StandardCharsets.UTF_8));
              b.release();
            })
        .blockLast();
    assertThat(out.toString()).isEqualTo("data: {\"choices\":[]");
  }

  private static UsageConfig usage(boolean enabled) {
    return new UsageConfig(
        enabled, Duration.ofMillis(200), 5000, 200_000, Duration.ofDays(30), Duration.ofHours(1));
  }
}

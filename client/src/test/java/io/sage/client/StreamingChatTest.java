package io.sage.client;

import static io.sage.client.FakeGateway.chunk;
import static io.sage.client.FakeGateway.event;
import static io.sage.client.FakeGateway.finalChunk;
import static io.sage.client.FakeGateway.startEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.client.chat.ChatRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamingChatTest {

  private final FakeGateway gateway = FakeGateway.start();
  private final UnifiedInferenceClient client =
      UnifiedInferenceClient.builder().baseUrl(gateway.url()).defaultChatModel("llama").build();

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void deltasArriveWhileTheAnswerIsStillBeingGenerated() {
    CountDownLatch clientGotFirstDelta = new CountDownLatch(1);
    AtomicBoolean releasedByClient = new AtomicBoolean();
    gateway.on(
        "POST",
        "/v1/chat/completions",
        (exchange, request) -> {
          OutputStream out = startEvents(exchange);
          event(out, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}");
          event(out, chunk("Hel"));
          // Holds the rest back until the client has the first delta: a client that buffered the
          // whole
          // answer would never see it, and the await would time out.
          releasedByClient.set(clientGotFirstDelta.await(10, TimeUnit.SECONDS));
          event(out, chunk("lo"));
          event(out, finalChunk());
          event(out, "[DONE]");
        });

    try (Stream<String> deltas = client.streamChat(ChatRequest.builder().user("Hi").build())) {
      Iterator<String> it = deltas.iterator();
      assertThat(it.next()).isEqualTo("Hel");
      clientGotFirstDelta.countDown();
      assertThat(it.next()).isEqualTo("lo");
      assertThat(it.hasNext()).isFalse();
    }
    assertThat(releasedByClient).isTrue();
    var body = gateway.requests("POST", "/v1/chat/completions").get(0).json();
    assertThat(body.get("stream").asBoolean()).isTrue();
    assertThat(body.get("model").asText()).isEqualTo("llama");
  }

  @Test
  void anErrorEventThrowsWithTheGatewaysMessage() {
    gateway.on(
        "POST",
        "/v1/chat/completions",
        (exchange, request) -> {
          exchange.getResponseHeaders().set("x-sage-engine-id", "engine-3");
          OutputStream out = startEvents(exchange);
          event(out, chunk("partial"));
          event(
              out,
              "{\"error\":{\"message\":\"engine engine-3 died mid-stream\","
                  + "\"type\":\"upstream_error\",\"code\":\"engine_failed\"}}");
        });

    Stream<String> deltas = client.streamChat(ChatRequest.builder().user("Hi").build());
    Iterator<String> it = deltas.iterator();
    assertThat(it.next()).isEqualTo("partial");
    assertThatThrownBy(it::hasNext)
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.errorMessage()).isEqualTo("engine engine-3 died mid-stream");
              assertThat(e.code()).contains("engine_failed");
              assertThat(e.type()).contains("upstream_error");
              assertThat(e.engineId()).contains("engine-3");
            });
  }

  @Test
  void aStreamCutOffWithoutDoneOrFinishReasonThrows() {
    gateway.on(
        "POST",
        "/v1/chat/completions",
        (exchange, request) -> {
          OutputStream out = startEvents(exchange);
          event(out, chunk("half"));
        });

    try (Stream<String> deltas = client.streamChat(ChatRequest.builder().user("Hi").build())) {
      assertThatThrownBy(() -> deltas.collect(Collectors.toList()))
          .isInstanceOfSatisfying(
              SageClientException.class, e -> assertThat(e.code()).contains("stream_truncated"));
    }
  }

  @Test
  void aStreamWithAFinishReasonButNoDoneIsComplete() {
    gateway.on(
        "POST",
        "/v1/chat/completions",
        (exchange, request) -> {
          OutputStream out = startEvents(exchange);
          event(out, chunk("all"));
          event(out, finalChunk());
        });

    try (Stream<String> deltas = client.streamChat(ChatRequest.builder().user("Hi").build())) {
      assertThat(deltas.collect(Collectors.toList())).containsExactly("all");
    }
  }

  @Test
  void closingTheStreamClosesTheConnection() throws Exception {
    CountDownLatch clientClosed = new CountDownLatch(1);
    CountDownLatch serverSawClose = new CountDownLatch(1);
    gateway.on(
        "POST",
        "/v1/chat/completions",
        (exchange, request) -> {
          OutputStream out = startEvents(exchange);
          event(out, chunk("first"));
          clientClosed.await(10, TimeUnit.SECONDS);
          try {
            // Writes until the closed connection refuses them; bounded so a leak fails the test.
            for (int i = 0; i < 2000; i++) {
              event(out, chunk("more-" + i));
              Thread.sleep(5);
            }
          } catch (IOException expected) {
            serverSawClose.countDown();
          }
        });

    Stream<String> deltas = client.streamChat(ChatRequest.builder().user("Hi").build());
    assertThat(deltas.iterator().next()).isEqualTo("first");
    deltas.close();
    clientClosed.countDown();

    assertThat(serverSawClose.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void rawChunksAreAvailableToo() {
    gateway.on(
        "POST",
        "/v1/chat/completions",
        (exchange, request) -> {
          OutputStream out = startEvents(exchange);
          event(out, chunk("x"));
          event(out, finalChunk());
          event(out, "[DONE]");
        });

    try (var chunks = client.streamChatChunks(ChatRequest.builder().user("Hi").build())) {
      List<String> reasons =
          chunks.map(c -> c.path("choices").path(0).path("finish_reason").asText("none")).toList();
      assertThat(reasons).containsExactly("none", "stop");
    }
  }
}

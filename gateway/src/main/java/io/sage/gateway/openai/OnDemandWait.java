package io.sage.gateway.openai;

import io.micronaut.buffer.netty.NettyByteBufferFactory;
import io.micronaut.core.io.buffer.ReadBuffer;
import io.micronaut.core.io.buffer.ReadBufferFactory;
import io.micronaut.http.ByteBodyHttpResponse;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.body.ByteBody;
import io.micronaut.http.body.ByteBodyFactory;
import io.sage.gateway.errors.OpenAiError;
import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import io.sage.host.models.ModelDeclaration;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * A request for a declared model that has no READY engine yet waits for one ({@link
 * io.sage.host.DeclaredModels#awaitReady}), then goes on as usual (limits, fair queue, proxy). A
 * non-stream request simply answers later; a streaming one gets its {@code 200 text/event-stream}
 * headers at once and an SSE comment line every {@link #KEEP_ALIVE} ({@code : loading qwen
 * (STARTING, 12 s)}) so clients and proxies keep the connection, then the engine's events. A client
 * that goes away leaves the queue.
 */
final class OnDemandWait {
  static final Duration KEEP_ALIVE = Duration.ofSeconds(2);

  private static final ByteBodyFactory BODIES =
      ByteBodyFactory.createDefault(NettyByteBufferFactory.DEFAULT);
  private static final ReadBufferFactory BUFFERS = ReadBufferFactory.getJdkFactory();
  private static final ScheduledExecutorService TICKS =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sage-loading-keepalive");
            t.setDaemon(true);
            return t;
          });

  private OnDemandWait() {}

  static CompletableFuture<HttpResponse<?>> forward(
      ProxyExchange exchange,
      ControlPlane controlPlane,
      ModelDeclaration model,
      CompletableFuture<Void> ready,
      boolean stream,
      Supplier<CompletableFuture<HttpResponse<?>>> proceed) {
    if (ready.isDone() && !ready.isCompletedExceptionally()) {
      return proceed.get();
    }
    if (!stream) {
      CompletableFuture<HttpResponse<?>> answer =
          ready
              .handle(
                  (v, error) -> error == null ? proceed.get() : exchange.answer(cause(error), null))
              .thenCompose(f -> f);
      // a client that goes away cancels the answer: leave the queue too
      answer.whenComplete(
          (r, e) -> {
            if (answer.isCancelled()) {
              ready.cancel(true);
            }
          });
      return answer;
    }
    long since = System.nanoTime();
    Flux<ReadBuffer> body =
        Flux.create(
            sink -> {
              AtomicReference<Disposable> relay = new AtomicReference<>();
              ScheduledFuture<?> ticker =
                  TICKS.scheduleAtFixedRate(
                      () -> sink.next(comment(controlPlane, model, since)),
                      0,
                      KEEP_ALIVE.toMillis(),
                      TimeUnit.MILLISECONDS);
              sink.onDispose(
                  () -> {
                    ticker.cancel(false);
                    ready.cancel(true);
                    Disposable d = relay.get();
                    if (d != null) {
                      d.dispose();
                    }
                  });
              ready.whenComplete(
                  (v, error) -> {
                    ticker.cancel(false);
                    if (sink.isCancelled()) {
                      return;
                    }
                    CompletableFuture<HttpResponse<?>> answer =
                        error == null ? proceed.get() : exchange.answer(cause(error), null);
                    answer.whenComplete(
                        (response, failure) -> {
                          if (failure != null) {
                            sink.next(
                                event(
                                    OpenAiError.json(
                                        "the request failed: " + failure.getMessage(),
                                        "server_error",
                                        "internal")));
                            sink.complete();
                            return;
                          }
                          relay.set(relayInto(sink, response));
                          if (sink.isCancelled()) {
                            relay.get().dispose();
                          }
                        });
                  });
            },
            FluxSink.OverflowStrategy.BUFFER);
    MutableHttpResponse<?> out = HttpResponse.status(HttpStatus.OK);
    out.header(HttpHeaders.CONTENT_TYPE, "text/event-stream");
    out.header(HttpHeaders.CACHE_CONTROL, "no-cache");
    out.header(EngineProxy.REQUEST_ID_HEADER, exchange.call().requestId());
    return CompletableFuture.completedFuture(out.body(BODIES.adapt(body)));
  }

  /** The answer's body into the SSE stream; an error answer becomes one SSE error event. */
  private static Disposable relayInto(FluxSink<ReadBuffer> sink, HttpResponse<?> response) {
    Flux<byte[]> bytes = bytesOf(response);
    if (response.code() >= 400) {
      return bytes
          .reduce(
              new ByteArrayOutputStream(),
              (all, chunk) -> {
                all.writeBytes(chunk);
                return all;
              })
          .subscribe(
              all -> {
                sink.next(event(all.toString(StandardCharsets.UTF_8).trim()));
                sink.complete();
              },
              sink::error);
    }
    return bytes.subscribe(chunk -> sink.next(BUFFERS.adapt(chunk)), sink::error, sink::complete);
  }

  private static Flux<byte[]> bytesOf(HttpResponse<?> response) {
    if (response instanceof ByteBodyHttpResponse<?> streamed) {
      return Flux.from(streamed.byteBody().toByteArrayPublisher());
    }
    Object body = response.getBody().orElse(null);
    if (body instanceof ByteBody byteBody) {
      return Flux.from(byteBody.toByteArrayPublisher());
    }
    if (body instanceof Map<?, ?> map) {
      try {
        return Flux.just(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(map));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        return Flux.just("{}".getBytes(StandardCharsets.UTF_8));
      }
    }
    return Flux.empty();
  }

  private static ReadBuffer comment(ControlPlane controlPlane, ModelDeclaration model, long since) {
    String state = "QUEUED";
    for (EngineSnapshot engine : controlPlane.engines()) {
      if (engine.record().spec().servedModelName().equals(model.name())
          && (engine.state() == EngineState.STARTING || engine.state() == EngineState.ERROR)) {
        state = engine.state().name();
        break;
      }
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
    return BUFFERS.adapt(
        (": loading " + model.name() + " (" + state + ", " + seconds + " s)\n\n")
            .getBytes(StandardCharsets.UTF_8));
  }

  private static ReadBuffer event(String json) {
    return BUFFERS.adapt(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  private static SageException cause(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof SageException sage) {
      return sage;
    }
    return new SageException(
        ErrorCode.NO_READY_ENGINE,
        "the model did not become READY: " + cause.getMessage(),
        "model");
  }
}

package io.sage.gateway.openai;

import io.micronaut.buffer.netty.NettyByteBufferFactory;
import io.micronaut.buffer.netty.NettyReadBufferFactory;
import io.micronaut.core.io.buffer.ReadBuffer;
import io.micronaut.core.io.buffer.ReadBufferFactory;
import io.micronaut.http.ByteBodyHttpResponse;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.body.ByteBodyFactory;
import io.micronaut.http.netty.NettyHttpResponseBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.sage.gateway.errors.OpenAiError;
import io.sage.host.EngineLease;
import io.sage.host.engine.PlannedStop;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;

/**
 * Relays an engine's response to the client as it arrives: status and headers first, then each body
 * chunk without copying it. A stream that fails after bytes went out ends with an SSE error event
 * (and no {@code [DONE]}); the engine's in-flight slot is released however the body ends.
 */
final class ResponseRelay {
  /** Response bodies are relayed as raw byte bodies, so the framework never re-encodes them. */
  private static final ByteBodyFactory BODIES =
      ByteBodyFactory.createDefault(NettyByteBufferFactory.DEFAULT);

  private static final ReadBufferFactory BUFFERS = ReadBufferFactory.getJdkFactory();
  private static final NettyReadBufferFactory NETTY_BUFFERS =
      NettyReadBufferFactory.of(ByteBufAllocator.DEFAULT);

  private ResponseRelay() {}

  static HttpResponse<?> relay(
      ProxyExchange exchange, HttpResponse<?> response, EngineLease engine, Runnable release) {
    ProxyCall call = exchange.call();
    int status = response.code();
    String contentType = response.getHeaders().get(HttpHeaders.CONTENT_TYPE);
    if (contentType == null) {
      contentType = "application/json";
    }
    boolean sse = contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
    exchange.each(l -> l.onResponse(call, engine.engineId(), status));
    AtomicBoolean failed = new AtomicBoolean();
    Flux<ReadBuffer> relayed =
        stages(
            EngineHeaders.masked(status, engine.record().engineApiKey(), bodyOf(response)),
            buf -> observe(exchange, buf),
            exchange.stallWatch(),
            exchange.usageAdded() && sse && status == 200,
            exchange.holdsCompletion()
                ? () -> exchange.beforeComplete(engine.engineId(), status)
                : null);
    relayed =
        relayed.doFinally(
            signal -> {
              release.run();
              boolean completed = signal == SignalType.ON_COMPLETE && !failed.get();
              exchange.end(
                  new ProxyOutcome(
                      status,
                      engine.engineId(),
                      completed,
                      completed
                          ? null
                          : signal == SignalType.CANCEL
                              ? "client disconnected"
                              : "engine failed mid-response"));
            });
    if (sse) {
      relayed =
          relayed.onErrorResume(
              error -> {
                failed.set(true);
                return Flux.just(BUFFERS.adapt(streamError(engine, error)));
              });
    }
    MutableHttpResponse<?> out = HttpResponse.status(HttpStatus.valueOf(status));
    ProxyHeaders.copyResponseHeaders(response, out);
    out.header(HttpHeaders.CONTENT_TYPE, contentType);
    out.header(EngineProxy.ENGINE_HEADER, engine.engineId());
    out.header(EngineProxy.REQUEST_ID_HEADER, call.requestId());
    if (sse) {
      out.header(HttpHeaders.CACHE_CONTROL, "no-cache");
    }
    return out.body(BODIES.adapt(relayed));
  }

  /**
   * The stages of a relayed body, in this order: the stall guard on the engine's own chunks, the
   * listeners' view ({@code observe}: usage is read from the engine's bytes), the usage strip when
   * the gateway asked the engine for it, and last the completion hold when {@code commit} is set,
   * so the chunk held back until the commit is a stripped one too.
   */
  static Flux<ReadBuffer> stages(
      Flux<ByteBuf> engine,
      UnaryOperator<ByteBuf> observe,
      StallWatch stallWatch,
      boolean stripUsage,
      Supplier<CompletableFuture<Void>> commit) {
    Flux<ByteBuf> body = stallWatch.guard(engine.map(observe));
    if (stripUsage) {
      body = StreamUsage.strip(body).doOnDiscard(ByteBuf.class, ByteBuf::release);
    }
    Flux<ReadBuffer> relayed =
        body.map(buf -> (ReadBuffer) NETTY_BUFFERS.adapt(buf))
            // a chunk that never reached the client (cancel, error) is released, not leaked
            .doOnDiscard(ReadBuffer.class, ReadBuffer::close);
    return commit == null ? relayed : CompletionHold.holdLast(relayed, commit);
  }

  private static byte[] streamError(EngineLease engine, Throwable error) {
    if (error instanceof CompletionHold.NotStoredException notStored) {
      return ("data: "
              + OpenAiError.json(notStored.getMessage(), "server_error", "not_stored")
              + "\n\n")
          .getBytes(StandardCharsets.UTF_8);
    }
    return ("data: " + cutReason(engine, error) + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Why the stream ended, in the OpenAI error shape: a planned stop the gateway carried out (its
   * drain timeout passed, or a stop that did not wait) is told apart from an engine that failed.
   */
  private static String cutReason(EngineLease engine, Throwable error) {
    Optional<PlannedStop> planned = engine.plannedStop();
    if (planned.isEmpty()) {
      return OpenAiError.json(
          "engine " + engine.engineId() + " failed mid-stream: " + describe(error),
          "engine_error",
          "engine_unreachable");
    }
    return switch (planned.get().kind()) {
      case DRAIN_TIMEOUT ->
          OpenAiError.json(
              planned.get().detail() + "; the stream was cut", "engine_stopped", "drain_timeout");
      case STOP ->
          OpenAiError.json(
              planned.get().detail() + "; the stream was cut", "engine_stopped", "engine_stopped");
    };
  }

  /**
   * Shows one engine chunk to the listeners without copying it: those that read bodies get a
   * read-only view, and the buffer itself goes on to be relayed (released by the server once
   * written).
   */
  private static ByteBuf observe(ProxyExchange exchange, ByteBuf buf) {
    ProxyCall call = exchange.call();
    call.firstByte();
    call.addBytes(buf.readableBytes());
    if (!exchange.bodyListeners().isEmpty()) {
      ByteBuffer view = buf.nioBuffer().asReadOnlyBuffer();
      for (ProxyListener listener : exchange.bodyListeners()) {
        try {
          listener.onBody(call, view.duplicate());
        } catch (RuntimeException e) {
          LoggerFactory.getLogger(EngineProxy.class).warn("proxy listener {} failed", listener, e);
        }
      }
    }
    return buf;
  }

  /** The streamed body of a proxied response, chunk by chunk as Netty delivers it. */
  private static Flux<ByteBuf> bodyOf(HttpResponse<?> response) {
    if (response instanceof NettyHttpResponseBuilder netty) {
      return Flux.from(netty.toStreamHttpResponse()).map(content -> content.content());
    }
    if (response instanceof ByteBodyHttpResponse<?> streamed) {
      return Flux.from(streamed.byteBody().toByteArrayPublisher()).map(Unpooled::wrappedBuffer);
    }
    return Flux.empty();
  }

  /** Reads and releases a response body the client will never see (one that is retried). */
  static void discard(HttpResponse<?> response) {
    bodyOf(response).subscribe(ReferenceCountUtil::release, error -> {});
  }

  static String describe(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null
        && cause.getCause() != cause
        && !(cause instanceof ConnectException)) {
      cause = cause.getCause();
    }
    if (cause instanceof ConnectException) {
      return "connection refused";
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}

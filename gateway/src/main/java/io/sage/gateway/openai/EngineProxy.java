package io.sage.gateway.openai;

import io.micronaut.buffer.netty.NettyByteBufferFactory;
import io.micronaut.buffer.netty.NettyReadBufferFactory;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.io.buffer.ReadBuffer;
import io.micronaut.core.io.buffer.ReadBufferFactory;
import io.micronaut.http.ByteBodyHttpResponse;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.body.ByteBodyFactory;
import io.micronaut.http.client.ProxyHttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.ReadTimeoutException;
import io.micronaut.http.netty.NettyHttpResponseBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.sage.gateway.errors.OpenAiError;
import io.sage.gateway.security.InferenceAdmission;
import io.sage.host.engine.EngineEntry;
import io.sage.host.routing.EngineRouter;
import io.sage.host.supervision.EngineSupervisor;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * Forwards an inference request's bytes unchanged to a READY engine and relays the response as it
 * arrives: no thread waits on an engine, no response is held whole. Fails over to another engine of
 * the model when connecting or sending fails or the engine answers 502/503/504 before any byte went
 * to the client; after that, a stream ends with an SSE error event and no {@code [DONE]}.
 */
@Singleton
public final class EngineProxy {
  public static final String ENGINE_HEADER = "x-sage-engine-id";
  private static final int MAX_RETRIES = 2;
  private static final Set<String> NOT_FORWARDED =
      Set.of(
          "connection",
          "keep-alive",
          "transfer-encoding",
          "te",
          "trailer",
          "upgrade",
          "proxy-authenticate",
          "proxy-authorization",
          "content-length",
          "date",
          "server",
          "content-type",
          "x-request-id");
  public static final String REQUEST_ID_HEADER = "x-request-id";
  private static final java.util.regex.Pattern SANE_REQUEST_ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9._:@/+=-]{1,128}");
  private static final Set<String> FORWARDED_REQUEST_HEADERS =
      Set.of("accept", "traceparent", "tracestate", "openai-organization", "openai-project");

  /** Response bodies are relayed as raw byte bodies, so the framework never re-encodes them. */
  private static final ByteBodyFactory BODIES =
      ByteBodyFactory.createDefault(NettyByteBufferFactory.DEFAULT);

  private static final ReadBufferFactory BUFFERS = ReadBufferFactory.getJdkFactory();
  private static final NettyReadBufferFactory NETTY_BUFFERS =
      NettyReadBufferFactory.of(ByteBufAllocator.DEFAULT);

  private final EngineRouter router;
  private final EngineSupervisor supervisor;
  private final List<ProxyListener> listeners;
  private final ProxyHttpClient http;
  private final Duration responseTimeout;
  private final InferenceAdmission admission;
  private final ProxyGate gate;
  private final StreamUsage streamUsage;

  /**
   * The upstream leg is Micronaut's Netty proxy client: pooled keep-alive connections on the same
   * event loops as the server, the response status known before the body, error statuses passed
   * through unchanged, and the body streamed as it arrives.
   */
  EngineProxy(
      EngineRouter router,
      EngineSupervisor supervisor,
      List<ProxyListener> listeners,
      InferenceAdmission admission,
      ProxyGate gate,
      StreamUsage streamUsage,
      @Client ProxyHttpClient http,
      @Value("${micronaut.http.client.read-timeout:600s}") Duration responseTimeout) {
    this.router = router;
    this.supervisor = supervisor;
    this.listeners = List.copyOf(listeners);
    this.admission = admission;
    this.gate = gate;
    this.streamUsage = streamUsage;
    this.http = http;
    this.responseTimeout = responseTimeout;
  }

  /** Proxies {@code body} (already inspected) to an engine of {@code kind}. */
  public CompletableFuture<HttpResponse<?>> forward(
      HttpRequest<?> request,
      byte[] body,
      InferenceRequest parsed,
      EngineKind kind,
      String path,
      ProxyListener perCall) {
    List<ProxyListener> all = perCall == null ? listeners : with(listeners, perCall);
    ProxyCall call =
        new ProxyCall(request, path, parsed.model(), parsed.stream(), requestId(request));
    byte[] upstreamBody = streamUsage.upstreamBody(parsed, body);
    Exchange exchange =
        new Exchange(request, upstreamBody, upstreamBody != body, parsed, kind, path, call, all);
    exchange.each(l -> l.onStart(call));
    Optional<MutableHttpResponse<?>> refused = admission.admit(request, parsed.model());
    if (refused.isPresent()) {
      return exchange.refuse(refused.get());
    }
    return gate.enter(call, parsed, body.length)
        .thenCompose(
            gated ->
                gated.isPresent()
                    ? exchange.refuse(gated.get())
                    : exchange.attempt(new ArrayList<>(), null));
  }

  /** Inspects and proxies a raw body. */
  CompletableFuture<HttpResponse<?>> forward(
      HttpRequest<?> request, byte[] body, EngineKind kind, String path) {
    return forward(request, body, InferenceRequest.inspect(body), kind, path, null);
  }

  /** The caller's request id when it is sane, else a fresh one. */
  static String requestId(HttpRequest<?> request) {
    String given = request.getHeaders().get(REQUEST_ID_HEADER);
    if (given != null && SANE_REQUEST_ID.matcher(given).matches()) {
      return given;
    }
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    return "req-"
        + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
        + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
  }

  private static List<ProxyListener> with(List<ProxyListener> base, ProxyListener extra) {
    List<ProxyListener> all = new ArrayList<>(base.size() + 1);
    all.addAll(base);
    all.add(extra);
    return all;
  }

  /** One client request through the retries. */
  private final class Exchange {
    private final HttpRequest<?> request;
    private final byte[] body;
    private final boolean usageAdded;
    private final InferenceRequest parsed;
    private final EngineKind kind;
    private final String path;
    private final ProxyCall call;
    private final List<ProxyListener> listeners;
    private final List<ProxyListener> bodyListeners = new ArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();

    Exchange(
        HttpRequest<?> request,
        byte[] body,
        boolean usageAdded,
        InferenceRequest parsed,
        EngineKind kind,
        String path,
        ProxyCall call,
        List<ProxyListener> listeners) {
      this.request = request;
      this.body = body;
      this.usageAdded = usageAdded;
      this.parsed = parsed;
      this.kind = kind;
      this.path = path;
      this.call = call;
      this.listeners = listeners;
      for (ProxyListener listener : listeners) {
        if (listener.wantsBody(call)) {
          bodyListeners.add(listener);
        }
      }
    }

    void each(java.util.function.Consumer<ProxyListener> action) {
      for (ProxyListener listener : listeners) {
        try {
          action.accept(listener);
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(EngineProxy.class)
              .warn("proxy listener {} failed", listener, e);
        }
      }
    }

    void end(ProxyOutcome outcome) {
      if (ended.compareAndSet(false, true)) {
        each(l -> l.onEnd(call, outcome));
      }
    }

    CompletableFuture<HttpResponse<?>> answer(SageException error, String engineId) {
      MutableHttpResponse<?> response = OpenAiError.response(error);
      response.header(REQUEST_ID_HEADER, call.requestId());
      if (engineId != null) {
        response.header(ENGINE_HEADER, engineId);
      }
      end(new ProxyOutcome(response.code(), engineId, true, error.getMessage()));
      return CompletableFuture.completedFuture(response);
    }

    /**
     * Answers with the security checks' refusal (403 model not allowed, 429 too many in flight).
     */
    CompletableFuture<HttpResponse<?>> refuse(MutableHttpResponse<?> response) {
      response.header(REQUEST_ID_HEADER, call.requestId());
      end(new ProxyOutcome(response.code(), null, true, "refused with " + response.code()));
      return CompletableFuture.completedFuture(response);
    }

    CompletableFuture<HttpResponse<?>> attempt(List<String> tried, String lastFailure) {
      Optional<EngineEntry> chosen = router.choose(parsed.model(), kind, tried);
      if (chosen.isEmpty()) {
        return answer(noEngine(tried, lastFailure), null);
      }
      EngineEntry engine = chosen.get();
      tried.add(engine.id());
      call.attempted();
      each(l -> l.onAttempt(call, engine.id()));
      AtomicBoolean released = new AtomicBoolean();
      Runnable release =
          () -> {
            if (released.compareAndSet(false, true)) {
              engine.requestFinished();
            }
          };
      engine.requestStarted();
      return Mono.from(http.proxy(upstreamRequest(engine)))
          .toFuture()
          .handle(
              (response, error) -> {
                if (error != null) {
                  release.run();
                  Throwable cause =
                      error instanceof CompletionException && error.getCause() != null
                          ? error.getCause()
                          : error;
                  if (cause instanceof ReadTimeoutException) {
                    return answer(
                        new SageException(
                            ErrorCode.ENGINE_TIMEOUT,
                            "engine "
                                + engine.id()
                                + " did not answer within "
                                + responseTimeout.toSeconds()
                                + " s"),
                        engine.id());
                  }
                  supervisor.probeSoon(engine);
                  return retryOrFail(
                      tried, engine.id(), "engine " + engine.id() + ": " + describe(cause));
                }
                int status = response.code();
                if ((status == 502 || status == 503 || status == 504)
                    && tried.size() <= MAX_RETRIES) {
                  discard(response);
                  release.run();
                  return retryOrFail(
                      tried, engine.id(), "engine " + engine.id() + " answered " + status);
                }
                return CompletableFuture.<HttpResponse<?>>completedFuture(
                    relay(response, engine, release));
              })
          .thenCompose(f -> f);
    }

    private CompletableFuture<HttpResponse<?>> retryOrFail(
        List<String> tried, String engineId, String failure) {
      if (tried.size() > MAX_RETRIES) {
        return answer(
            new SageException(
                ErrorCode.ENGINE_UNREACHABLE,
                "all attempts failed for model '" + parsed.model() + "'; last: " + failure),
            engineId);
      }
      each(l -> l.onRetry(call, engineId, failure));
      return attempt(tried, failure);
    }

    private SageException noEngine(List<String> tried, String lastFailure) {
      String model = parsed.model();
      if (!tried.isEmpty()) {
        return new SageException(
            ErrorCode.ENGINE_UNREACHABLE,
            "no engine of model '"
                + model
                + "' could serve the request; last failure: "
                + lastFailure);
      }
      if (router.isKnown(model, kind)) {
        return new SageException(
            ErrorCode.NO_READY_ENGINE,
            "model '" + model + "' has no READY engine right now; retry later",
            "model");
      }
      Optional<EngineKind> other = router.kindServing(model);
      if (other.isPresent() && other.get() != kind) {
        return new SageException(
            ErrorCode.INVALID_REQUEST,
            "model '"
                + model
                + "' is an "
                + other.get().wireName()
                + " model; use "
                + (other.get() == EngineKind.EMBEDDING
                    ? "/v1/embeddings"
                    : "/v1/chat/completions or /v1/completions"),
            "model");
      }
      return new SageException(
          ErrorCode.MODEL_NOT_FOUND,
          "model '" + model + "' does not exist; GET /v1/models lists the served models",
          "model");
    }

    private MutableHttpRequest<byte[]> upstreamRequest(EngineEntry engine) {
      MutableHttpRequest<byte[]> upstream =
          HttpRequest.POST(engine.record().baseUrl() + path, body)
              .contentType(MediaType.APPLICATION_JSON_TYPE)
              .header(REQUEST_ID_HEADER, call.requestId());
      for (Map.Entry<String, List<String>> header : request.getHeaders()) {
        if (FORWARDED_REQUEST_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
          for (String value : header.getValue()) {
            upstream.header(header.getKey(), value);
          }
        }
      }
      String key = engine.record().engineApiKey();
      if (key != null && !key.isEmpty()) {
        upstream.header(HttpHeaders.AUTHORIZATION, "Bearer " + key);
      }
      return upstream;
    }

    private HttpResponse<?> relay(HttpResponse<?> response, EngineEntry engine, Runnable release) {
      int status = response.code();
      String contentType = response.getHeaders().get(HttpHeaders.CONTENT_TYPE);
      if (contentType == null) {
        contentType = "application/json";
      }
      boolean sse = contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
      each(l -> l.onResponse(call, engine.id(), status));
      AtomicBoolean failed = new AtomicBoolean();
      Flux<ByteBuf> engineBody = Flux.from(bodyOf(response)).map(this::observe);
      if (usageAdded && sse && status == 200) {
        engineBody = StreamUsage.strip(engineBody).doOnDiscard(ByteBuf.class, ByteBuf::release);
      }
      Flux<ReadBuffer> relayed =
          engineBody
              .map(buf -> (ReadBuffer) NETTY_BUFFERS.adapt(buf))
              // a chunk that never reached the client (cancel, error) is released, not leaked
              .doOnDiscard(ReadBuffer.class, ReadBuffer::close)
              .doFinally(
                  signal -> {
                    release.run();
                    boolean completed = signal == SignalType.ON_COMPLETE && !failed.get();
                    end(
                        new ProxyOutcome(
                            status,
                            engine.id(),
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
                  return Flux.just(
                      BUFFERS.adapt(
                          ("data: "
                                  + OpenAiError.json(
                                      "engine "
                                          + engine.id()
                                          + " failed mid-stream: "
                                          + describe(error),
                                      "engine_error",
                                      "engine_unreachable")
                                  + "\n\n")
                              .getBytes(StandardCharsets.UTF_8)));
                });
      }
      MutableHttpResponse<?> out = HttpResponse.status(HttpStatus.valueOf(status));
      for (Map.Entry<String, List<String>> header : response.getHeaders()) {
        String lower = header.getKey().toLowerCase(Locale.ROOT);
        if (!NOT_FORWARDED.contains(lower) && !lower.startsWith(":")) {
          for (String value : header.getValue()) {
            out.header(header.getKey(), value);
          }
        }
      }
      out.header(HttpHeaders.CONTENT_TYPE, contentType);
      out.header(ENGINE_HEADER, engine.id());
      out.header(REQUEST_ID_HEADER, call.requestId());
      if (sse) {
        out.header(HttpHeaders.CACHE_CONTROL, "no-cache");
      }
      return out.body(BODIES.adapt(relayed));
    }

    /**
     * Shows one engine chunk to the listeners without copying it: those that read bodies get a
     * read-only view, and the buffer itself goes on to be relayed (released by the server once
     * written).
     */
    private ByteBuf observe(ByteBuf buf) {
      call.firstByte();
      call.addBytes(buf.readableBytes());
      if (!bodyListeners.isEmpty()) {
        ByteBuffer view = buf.nioBuffer().asReadOnlyBuffer();
        for (ProxyListener listener : bodyListeners) {
          try {
            listener.onBody(call, view.duplicate());
          } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(EngineProxy.class)
                .warn("proxy listener {} failed", listener, e);
          }
        }
      }
      return buf;
    }
  }

  /**
   * The streamed body of a proxied response: Netty content chunks copied into read buffers (and
   * released) as they arrive.
   */
  private static Flux<ByteBuf> bodyOf(HttpResponse<?> response) {
    if (response instanceof NettyHttpResponseBuilder netty) {
      return Flux.from(netty.toStreamHttpResponse()).map(content -> content.content());
    }
    if (response instanceof ByteBodyHttpResponse<?> streamed) {
      return Flux.from(streamed.byteBody().toByteArrayPublisher()).map(Unpooled::wrappedBuffer);
    }
    return Flux.empty();
  }

  private static void discard(HttpResponse<?> response) {
    bodyOf(response).subscribe(ReferenceCountUtil::release, error -> {});
  }

  static String describe(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null
        && cause.getCause() != cause
        && !(cause instanceof java.net.ConnectException)) {
      cause = cause.getCause();
    }
    if (cause instanceof java.net.ConnectException) {
      return "connection refused";
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}

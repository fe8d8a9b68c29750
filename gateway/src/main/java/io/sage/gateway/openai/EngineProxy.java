package io.sage.gateway.openai;

import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.buffer.netty.NettyByteBufferFactory;
import io.micronaut.core.io.buffer.ReadBuffer;
import io.micronaut.core.io.buffer.ReadBufferFactory;
import io.micronaut.http.body.ByteBodyFactory;
import io.sage.gateway.errors.OpenAiError;
import io.sage.host.engine.EngineEntry;
import io.sage.host.routing.EngineRouter;
import io.sage.host.supervision.EngineSupervisor;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
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
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;

/**
 * Forwards an inference request's bytes unchanged to a READY engine and relays the response as it
 * arrives: no thread waits on an engine, no response is held whole. Fails over to another engine
 * of the model when connecting or sending fails or the engine answers 502/503/504 before any byte
 * went to the client; after that, a stream ends with an SSE error event and no {@code [DONE]}.
 */
@Singleton
final class EngineProxy {
  static final String ENGINE_HEADER = "x-sage-engine-id";
  private static final int MAX_RETRIES = 2;
  private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "transfer-encoding", "te",
      "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", "content-length", "date", "server");
  /** Response bodies are relayed as raw byte bodies, so the framework never re-encodes them. */
  private static final ByteBodyFactory BODIES = ByteBodyFactory.createDefault(NettyByteBufferFactory.DEFAULT);
  private static final ReadBufferFactory BUFFERS = ReadBufferFactory.getJdkFactory();
  private static final Set<String> FORWARDED_REQUEST_HEADERS = Set.of("accept", "x-request-id", "traceparent",
      "tracestate", "openai-organization", "openai-project");

  private final EngineRouter router;
  private final EngineSupervisor supervisor;
  private final HttpClient http;
  private final Duration responseTimeout;

  EngineProxy(EngineRouter router, EngineSupervisor supervisor,
      @Value("${sage.proxy.connect-timeout:5s}") Duration connectTimeout,
      @Value("${sage.proxy.response-timeout:600s}") Duration responseTimeout) {
    this.router = router;
    this.supervisor = supervisor;
    this.responseTimeout = responseTimeout;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  CompletableFuture<HttpResponse<?>> forward(HttpRequest<?> request, byte[] body, EngineKind kind, String path) {
    InferenceRequest parsed = InferenceRequest.inspect(body);
    return attempt(request, body, parsed, kind, path, new ArrayList<>(), null);
  }

  private CompletableFuture<HttpResponse<?>> attempt(HttpRequest<?> request, byte[] body, InferenceRequest parsed,
      EngineKind kind, String path, List<String> tried, String lastFailure) {
    Optional<EngineEntry> chosen = router.choose(parsed.model(), kind, tried);
    if (chosen.isEmpty()) {
      return CompletableFuture.completedFuture(noEngine(parsed.model(), kind, tried, lastFailure));
    }
    EngineEntry engine = chosen.get();
    tried.add(engine.id());
    java.net.http.HttpRequest upstream = upstreamRequest(request, body, engine, path);
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        engine.requestFinished();
      }
    };
    engine.requestStarted();
    return http.sendAsync(upstream, java.net.http.HttpResponse.BodyHandlers.ofPublisher())
        .handle((response, error) -> {
          if (error != null) {
            release.run();
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof HttpTimeoutException) {
              return CompletableFuture.<HttpResponse<?>>completedFuture(OpenAiError.response(new SageException(
                  ErrorCode.ENGINE_TIMEOUT, "engine " + engine.id() + " did not answer within "
                  + responseTimeout.toSeconds() + " s")).header(ENGINE_HEADER, engine.id()));
            }
            supervisor.probeSoon(engine);
            String failure = "engine " + engine.id() + ": " + describe(cause);
            return retryOrFail(request, body, parsed, kind, path, tried, failure);
          }
          int status = response.statusCode();
          if ((status == 502 || status == 503 || status == 504) && tried.size() <= MAX_RETRIES) {
            discard(response.body());
            release.run();
            return retryOrFail(request, body, parsed, kind, path, tried,
                "engine " + engine.id() + " answered " + status);
          }
          return CompletableFuture.<HttpResponse<?>>completedFuture(relay(response, engine, release));
        })
        .thenCompose(f -> f);
  }

  private CompletableFuture<HttpResponse<?>> retryOrFail(HttpRequest<?> request, byte[] body,
      InferenceRequest parsed, EngineKind kind, String path, List<String> tried, String failure) {
    if (tried.size() > MAX_RETRIES) {
      return CompletableFuture.completedFuture(OpenAiError.response(new SageException(ErrorCode.ENGINE_UNREACHABLE,
          "all attempts failed for model '" + parsed.model() + "'; last: " + failure)));
    }
    return attempt(request, body, parsed, kind, path, tried, failure);
  }

  private MutableHttpResponse<?> noEngine(String model, EngineKind kind, List<String> tried, String lastFailure) {
    if (!tried.isEmpty()) {
      return OpenAiError.response(new SageException(ErrorCode.ENGINE_UNREACHABLE,
          "no engine of model '" + model + "' could serve the request; last failure: " + lastFailure));
    }
    if (router.isKnown(model, kind)) {
      return OpenAiError.response(new SageException(ErrorCode.NO_READY_ENGINE,
          "model '" + model + "' has no READY engine right now; retry later", "model"));
    }
    Optional<EngineKind> other = router.kindServing(model);
    if (other.isPresent() && other.get() != kind) {
      return OpenAiError.response(new SageException(ErrorCode.INVALID_REQUEST, "model '" + model + "' is an "
          + other.get().wireName() + " model; use " + (other.get() == EngineKind.EMBEDDING ? "/v1/embeddings"
          : "/v1/chat/completions or /v1/completions"), "model"));
    }
    return OpenAiError.response(new SageException(ErrorCode.MODEL_NOT_FOUND,
        "model '" + model + "' does not exist; GET /v1/models lists the served models", "model"));
  }

  private java.net.http.HttpRequest upstreamRequest(HttpRequest<?> request, byte[] body, EngineEntry engine, String path) {
    java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest
        .newBuilder(URI.create(engine.record().baseUrl() + path))
        .timeout(responseTimeout)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", "application/json");
    for (Map.Entry<String, List<String>> header : request.getHeaders()) {
      if (FORWARDED_REQUEST_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        for (String value : header.getValue()) {
          builder.header(header.getKey(), value);
        }
      }
    }
    String key = engine.record().engineApiKey();
    if (key != null && !key.isEmpty()) {
      builder.header("Authorization", "Bearer " + key);
    }
    return builder.build();
  }

  private HttpResponse<?> relay(java.net.http.HttpResponse<Flow.Publisher<List<ByteBuffer>>> response,
      EngineEntry engine, Runnable release) {
    String contentType = response.headers().firstValue("content-type").orElse("application/json");
    boolean sse = contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
    AtomicBoolean sentAny = new AtomicBoolean();
    Flux<ReadBuffer> body = JdkFlowAdapter.flowPublisherToFlux(response.body())
        .map(EngineProxy::copy)
        .doOnNext(b -> sentAny.set(true))
        .doFinally(signal -> release.run());
    if (sse) {
      body = body.onErrorResume(error -> Flux.just(BUFFERS.adapt(("data: " + OpenAiError.json(
          "engine " + engine.id() + " failed mid-stream: " + describe(error), "engine_error", "engine_unreachable")
          + "\n\n").getBytes(StandardCharsets.UTF_8))));
    }
    MutableHttpResponse<?> relayed = HttpResponse.status(HttpStatus.valueOf(response.statusCode()));
    response.headers().map().forEach((name, values) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!NOT_FORWARDED.contains(lower) && !lower.equals("content-type") && !lower.startsWith(":")) {
        for (String value : values) {
          relayed.header(name, value);
        }
      }
    });
    relayed.header(HttpHeaders.CONTENT_TYPE, contentType);
    relayed.header(ENGINE_HEADER, engine.id());
    if (sse) {
      relayed.header(HttpHeaders.CACHE_CONTROL, "no-cache");
    }
    return relayed.body(BODIES.adapt(body));
  }

  private static ReadBuffer copy(List<ByteBuffer> buffers) {
    if (buffers.size() == 1) {
      return BUFFERS.copyOf(buffers.get(0));
    }
    int size = 0;
    for (ByteBuffer buffer : buffers) {
      size += buffer.remaining();
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    for (ByteBuffer buffer : buffers) {
      out.put(buffer);
    }
    return BUFFERS.adapt(out.flip());
  }

  private static void discard(Flow.Publisher<List<ByteBuffer>> body) {
    body.subscribe(new Flow.Subscriber<>() {
      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscription.cancel();
      }

      @Override
      public void onNext(List<ByteBuffer> item) {}

      @Override
      public void onError(Throwable throwable) {}

      @Override
      public void onComplete() {}
    });
  }

  static String describe(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      if (cause instanceof java.net.ConnectException) {
        break;
      }
      cause = cause.getCause();
    }
    if (cause instanceof java.net.ConnectException) {
      return "connection refused";
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}

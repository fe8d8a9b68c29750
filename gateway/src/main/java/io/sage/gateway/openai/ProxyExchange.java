package io.sage.gateway.openai;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.client.ProxyHttpClient;
import io.micronaut.http.client.exceptions.ReadTimeoutException;
import io.sage.gateway.errors.OpenAiError;
import io.sage.host.ControlPlane;
import io.sage.host.EngineLease;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One client request through the retries: choose an engine, send, and either relay its answer or
 * fail over (connect/send failure, or 502/503/504 before any byte went out) up to {@link
 * #MAX_RETRIES} times. Listeners hear each step; {@link #end} tells them the outcome exactly once.
 */
final class ProxyExchange {
  private static final int MAX_RETRIES = 2;

  private final ControlPlane router;
  private final ProxyHttpClient http;
  private final Duration responseTimeout;
  private final StallWatch stallWatch;
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
  private volatile boolean declared;

  ProxyExchange(
      ControlPlane router,
      ProxyHttpClient http,
      Duration responseTimeout,
      StallWatch stallWatch,
      HttpRequest<?> request,
      byte[] body,
      boolean usageAdded,
      InferenceRequest parsed,
      EngineKind kind,
      String path,
      ProxyCall call,
      List<ProxyListener> listeners) {
    this.router = router;
    this.http = http;
    this.responseTimeout = responseTimeout;
    this.stallWatch = stallWatch;
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

  /** Ends a relayed body that makes no progress once begun ({@code sage.limits.stall-timeout}). */
  StallWatch stallWatch() {
    return stallWatch;
  }

  ProxyCall call() {
    return call;
  }

  /** The model is declared: with no engine it is loading or failing, never 404. */
  void declared() {
    this.declared = true;
  }

  List<ProxyListener> bodyListeners() {
    return bodyListeners;
  }

  /** Whether the gateway added {@code stream_options.include_usage} (see {@link StreamUsage}). */
  boolean usageAdded() {
    return usageAdded;
  }

  void each(Consumer<ProxyListener> action) {
    for (ProxyListener listener : listeners) {
      try {
        action.accept(listener);
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(EngineProxy.class).warn("proxy listener {} failed", listener, e);
      }
    }
  }

  /** Whether a listener must make something durable before the client sees the last chunk. */
  boolean holdsCompletion() {
    for (ProxyListener listener : bodyListeners) {
      if (listener.holdsCompletion(call)) {
        return true;
      }
    }
    return false;
  }

  /** Completes when every holding listener's {@link ProxyListener#beforeComplete} has. */
  java.util.concurrent.CompletableFuture<Void> beforeComplete(String engineId, int status) {
    List<java.util.concurrent.CompletableFuture<Void>> stages = new ArrayList<>();
    for (ProxyListener listener : bodyListeners) {
      if (listener.holdsCompletion(call)) {
        try {
          stages.add(listener.beforeComplete(call, engineId, status).toCompletableFuture());
        } catch (RuntimeException e) {
          stages.add(java.util.concurrent.CompletableFuture.failedFuture(e));
        }
      }
    }
    return java.util.concurrent.CompletableFuture.allOf(
        stages.toArray(java.util.concurrent.CompletableFuture[]::new));
  }

  void end(ProxyOutcome outcome) {
    if (ended.compareAndSet(false, true)) {
      each(l -> l.onEnd(call, outcome));
    }
  }

  CompletableFuture<HttpResponse<?>> answer(SageException error, String engineId) {
    MutableHttpResponse<?> response = OpenAiError.response(error);
    response.header(EngineProxy.REQUEST_ID_HEADER, call.requestId());
    if (engineId != null) {
      response.header(EngineProxy.ENGINE_HEADER, engineId);
    }
    end(new ProxyOutcome(response.code(), engineId, true, error.getMessage()));
    return CompletableFuture.completedFuture(response);
  }

  /** Answers with the security checks' refusal (403 model not allowed, 429 too many in flight). */
  CompletableFuture<HttpResponse<?>> refuse(MutableHttpResponse<?> response) {
    response.header(EngineProxy.REQUEST_ID_HEADER, call.requestId());
    end(new ProxyOutcome(response.code(), null, true, "refused with " + response.code()));
    return CompletableFuture.completedFuture(response);
  }

  CompletableFuture<HttpResponse<?>> attempt(List<String> tried, String lastFailure) {
    // the lease counts the request in the engine's in-flight requests until it is closed
    Optional<EngineLease> chosen = router.route(parsed.model(), kind, tried);
    if (chosen.isEmpty()) {
      if (declared && tried.isEmpty()) {
        return answer(
            new SageException(
                ErrorCode.NO_READY_ENGINE,
                "declared model '"
                    + parsed.model()
                    + "' has no READY engine right now; retry later",
                "model"),
            null);
      }
      return answer(NoEngineAnswer.explain(router, parsed.model(), kind, tried, lastFailure), null);
    }
    EngineLease engine = chosen.get();
    tried.add(engine.engineId());
    call.attempted();
    each(l -> l.onAttempt(call, engine.engineId()));
    Runnable release = engine::close;
    return Mono.from(
            http.proxy(ProxyHeaders.upstreamRequest(request, engine, path, body, call.requestId())))
        .toFuture()
        .handle(
            (response, error) -> {
              if (error != null) {
                release.run();
                return failed(tried, engine, error);
              }
              int status = response.code();
              if ((status == 502 || status == 503 || status == 504)
                  && tried.size() <= MAX_RETRIES) {
                ResponseRelay.discard(response);
                release.run();
                return retryOrFail(
                    tried,
                    engine.engineId(),
                    "engine " + engine.engineId() + " answered " + status);
              }
              return CompletableFuture.<HttpResponse<?>>completedFuture(
                  ResponseRelay.relay(this, response, engine, release));
            })
        .thenCompose(f -> f);
  }

  /** The engine did not answer: a timeout is final (504), anything else is retried elsewhere. */
  private CompletableFuture<HttpResponse<?>> failed(
      List<String> tried, EngineLease engine, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof ReadTimeoutException) {
      return answer(
          new SageException(
              ErrorCode.ENGINE_TIMEOUT,
              "engine "
                  + engine.engineId()
                  + " did not answer within "
                  + responseTimeout.toSeconds()
                  + " s"),
          engine.engineId());
    }
    engine.reportUnreachable();
    return retryOrFail(
        tried,
        engine.engineId(),
        "engine " + engine.engineId() + ": " + ResponseRelay.describe(cause));
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
}

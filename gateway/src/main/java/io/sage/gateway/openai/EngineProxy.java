package io.sage.gateway.openai;

import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.client.ProxyHttpClient;
import io.micronaut.http.client.annotation.Client;
import io.sage.gateway.security.InferenceAdmission;
import io.sage.host.ControlPlane;
import io.sage.host.DeclaredModels;
import io.sage.host.models.ModelDeclaration;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Forwards an inference request's bytes unchanged to a READY engine and relays the response as it
 * arrives: no thread waits on an engine, no response is held whole. Fails over to another engine of
 * the model when connecting or sending fails or the engine answers 502/503/504 before any byte went
 * to the client; after that, a stream ends with an SSE error event and no {@code [DONE]}.
 *
 * <p>The roles: {@link ProxyExchange} walks one request through the retries, {@link ProxyHeaders}
 * decides which headers cross, {@link ResponseRelay} streams the answer back, {@link
 * NoEngineAnswer} explains why nothing could serve it.
 */
@Singleton
public final class EngineProxy {
  public static final String ENGINE_HEADER = "x-sage-engine-id";
  public static final String REQUEST_ID_HEADER = "x-request-id";

  private final ControlPlane router;
  private final List<ProxyListener> listeners;
  private final ProxyHttpClient http;
  private final Duration responseTimeout;
  private final InferenceAdmission admission;
  private final StallWatch stallWatch;
  private final ProxyGate gate;
  private final StreamUsage streamUsage;
  private final DeclaredModels models;

  /**
   * The upstream leg is Micronaut's Netty proxy client: pooled keep-alive connections on the same
   * event loops as the server, the response status known before the body, error statuses passed
   * through unchanged, and the body streamed as it arrives.
   */
  EngineProxy(
      ControlPlane router,
      List<ProxyListener> listeners,
      InferenceAdmission admission,
      ProxyGate gate,
      StreamUsage streamUsage,
      @Client ProxyHttpClient http,
      @Value("${micronaut.http.client.read-timeout}") Duration responseTimeout,
      StallWatch stallWatch,
      DeclaredModels models) {
    this.models = models;
    this.stallWatch = stallWatch;
    this.router = router;
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
    String asked = parsed.model();
    Optional<ModelDeclaration> declared = asked == null ? Optional.empty() : models.resolve(asked);
    if (declared.isPresent() && !declared.get().name().equals(asked)) {
      // an alias: the engines serve the declared name
      body = ModelRename.rename(body, declared.get().name());
      parsed = new InferenceRequest(declared.get().name(), parsed.stream());
    }
    List<ProxyListener> all = perCall == null ? listeners : with(listeners, perCall);
    ProxyCall call =
        new ProxyCall(
            request, path, parsed.model(), parsed.stream(), ProxyHeaders.requestId(request));
    byte[] upstreamBody = streamUsage.upstreamBody(parsed, body);
    ProxyExchange exchange =
        new ProxyExchange(
            router,
            http,
            responseTimeout,
            stallWatch,
            request,
            upstreamBody,
            upstreamBody != body,
            parsed,
            kind,
            path,
            call,
            all);
    exchange.each(l -> l.onStart(call));
    Optional<MutableHttpResponse<?>> refused = admission.admit(request, asked);
    if (refused.isPresent()) {
      return exchange.refuse(refused.get());
    }
    // limits and budget before any wait: a request the key may not make never waits for a cold
    // engine (nor launches one)
    Optional<MutableHttpResponse<?>> limited = gate.checkLimits(call, parsed, body.length);
    if (limited.isPresent()) {
      return exchange.refuse(limited.get());
    }
    // the fair queue sees the request once an engine can take it, in the order the load released
    // the waiting requests
    java.util.function.Supplier<CompletableFuture<HttpResponse<?>>> proceed =
        () ->
            gate.enter(call)
                .thenCompose(
                    gated ->
                        gated.isPresent()
                            ? exchange.refuse(gated.get())
                            : exchange.attempt(new ArrayList<>(), null));
    if (declared.isPresent()) {
      exchange.declared();
      CompletableFuture<Void> ready;
      try {
        ready = models.awaitReady(declared.get());
      } catch (SageException e) {
        return exchange.answer(e, null);
      }
      return OnDemandWait.forward(
          exchange, router, declared.get(), ready, parsed.stream(), proceed);
    }
    return proceed.get();
  }

  /** Inspects and proxies a raw body. */
  CompletableFuture<HttpResponse<?>> forward(
      HttpRequest<?> request, byte[] body, EngineKind kind, String path) {
    return forward(request, body, InferenceRequest.inspect(body), kind, path, null);
  }

  private static List<ProxyListener> with(List<ProxyListener> base, ProxyListener extra) {
    List<ProxyListener> all = new ArrayList<>(base.size() + 1);
    all.addAll(base);
    all.add(extra);
    return all;
  }
}

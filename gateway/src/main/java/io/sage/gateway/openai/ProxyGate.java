package io.sage.gateway.openai;

import io.micronaut.http.MutableHttpResponse;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What an admitted request passes before it is routed: per-key rate limits and budgets, checked at
 * once (before the request waits for anything, an on-demand load included), and a fair queue while
 * the model's engines are saturated, entered once an engine can take the request. Called on an I/O
 * thread, after the security checks; never blocks (waiting is a future that completes later).
 */
public interface ProxyGate {
  /** A future already completed with "go on", for gates with nothing to do. */
  CompletableFuture<Optional<MutableHttpResponse<?>>> PASS =
      CompletableFuture.completedFuture(Optional.empty());

  /**
   * The key's budget and rate limits, once per client request: empty when the request may go on (it
   * is then counted), or the refusal to answer now.
   */
  Optional<MutableHttpResponse<?>> checkLimits(
      ProxyCall call, InferenceRequest parsed, int bodyLength);

  /**
   * The fair queue, once per client request that passed {@link #checkLimits}, when the model has an
   * engine to take it: completes with empty when the request may be routed now, or with the refusal
   * to answer. A request that passed holds whatever it took until {@link ProxyListener#onEnd}.
   */
  CompletableFuture<Optional<MutableHttpResponse<?>>> enter(ProxyCall call);
}

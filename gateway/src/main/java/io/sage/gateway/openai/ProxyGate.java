package io.sage.gateway.openai;

import io.micronaut.http.MutableHttpResponse;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What an admitted request passes before it is routed: per-key rate limits and budgets, and a fair
 * queue while the model's engines are saturated. Called once per client request on an I/O thread,
 * after the security checks; never blocks (waiting is a future that completes later).
 */
public interface ProxyGate {
  /** A future already completed with "go on", for gates with nothing to do. */
  CompletableFuture<Optional<MutableHttpResponse<?>>> PASS =
      CompletableFuture.completedFuture(Optional.empty());

  /**
   * Completes with empty when the request may be routed now, or with the refusal to answer. A
   * request that passed holds whatever it took until {@link ProxyListener#onEnd}.
   */
  CompletableFuture<Optional<MutableHttpResponse<?>>> enter(
      ProxyCall call, InferenceRequest parsed, int bodyLength);
}

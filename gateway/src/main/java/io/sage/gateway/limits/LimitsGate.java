package io.sage.gateway.limits;

import io.micronaut.http.MutableHttpResponse;
import io.sage.gateway.openai.InferenceRequest;
import io.sage.gateway.openai.ProxyCall;
import io.sage.gateway.openai.ProxyGate;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The proxy's gate: the key's budget and rate limits first, then the fair queue. */
@Singleton
final class LimitsGate implements ProxyGate {
  private final RequestLimits limits;
  private final FairQueue queue;

  LimitsGate(RequestLimits limits, FairQueue queue) {
    this.limits = limits;
    this.queue = queue;
  }

  @Override
  public Optional<MutableHttpResponse<?>> checkLimits(
      ProxyCall call, InferenceRequest parsed, int bodyLength) {
    return limits.check(call, bodyLength);
  }

  @Override
  public CompletableFuture<Optional<MutableHttpResponse<?>>> enter(ProxyCall call) {
    return queue.enter(call);
  }
}

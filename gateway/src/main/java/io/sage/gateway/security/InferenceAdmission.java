package io.sage.gateway.security;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.sage.gateway.errors.OpenAiError;
import io.sage.gateway.openai.ProxyCall;
import io.sage.gateway.openai.ProxyListener;
import io.sage.gateway.openai.ProxyOutcome;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The checks an inference request passes once the proxy has read its model: a model-limited key may
 * only use its models (403), and each key (anonymous callers count as one) has at most {@code
 * sage.limits.max-concurrent-per-key} requests in flight (429 with {@code Retry-After}). The slot
 * is taken here and given back exactly once, when the proxied response ends.
 */
@Singleton
public final class InferenceAdmission implements ProxyListener {
  private static final String PERMIT = "sage.admission.permit";
  private final int limit;
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  InferenceAdmission(AuthSettings settings) {
    this.limit = settings.maxConcurrentPerKey();
  }

  /**
   * Empty when the request may go on (it then holds a slot until {@link #onEnd}); else the refusal.
   */
  public Optional<MutableHttpResponse<?>> admit(HttpRequest<?> request, String model) {
    if (!allowsModel(request, model)) {
      return Optional.of(
          OpenAiError.response(
              403,
              "API key " + Actors.of(request) + " may not use model '" + model + "'",
              "permission_error",
              "model_not_allowed"));
    }
    String actor = Actors.of(request);
    AtomicInteger count = inFlight.computeIfAbsent(actor, a -> new AtomicInteger());
    if (count.incrementAndGet() > limit) {
      count.decrementAndGet();
      return Optional.of(
          OpenAiError.response(
                  429,
                  "API key "
                      + actor
                      + " already has "
                      + limit
                      + " requests in flight; retry when one has finished",
                  "rate_limit_error",
                  "rate_limit_exceeded")
              .header("Retry-After", "1"));
    }
    AtomicBoolean released = new AtomicBoolean();
    request.setAttribute(
        PERMIT,
        (Runnable)
            () -> {
              if (released.compareAndSet(false, true)) {
                count.decrementAndGet();
              }
            });
    return Optional.empty();
  }

  @Override
  public void onEnd(ProxyCall call, ProxyOutcome outcome) {
    call.request().getAttribute(PERMIT, Runnable.class).ifPresent(Runnable::run);
  }

  /** Requests of this key now in flight through the proxy. */
  int inFlight(String actor) {
    AtomicInteger count = inFlight.get(actor);
    return count == null ? 0 : count.get();
  }

  /** Whether the request's key may use {@code model} (keys without a model list may use all). */
  @SuppressWarnings("unchecked")
  public static boolean allowsModel(HttpRequest<?> request, String model) {
    Optional<Set> allowed = request.getAttribute(AuthenticationFilter.ALLOWED_MODELS, Set.class);
    return allowed.isEmpty() || allowed.get().contains(model);
  }
}

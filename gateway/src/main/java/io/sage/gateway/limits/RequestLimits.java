package io.sage.gateway.limits;

import io.micronaut.http.MutableHttpResponse;
import io.sage.gateway.errors.OpenAiError;
import io.sage.gateway.openai.ProxyCall;
import io.sage.gateway.security.Actors;
import io.sage.host.usage.KeyLimits;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A key's budget and its requests and tokens per minute, checked when a request is admitted. The
 * token limit counts an estimate of the prompt at admission (a quarter of the body's bytes: no
 * tokenizer runs in the gateway) and is corrected with the engine's real usage when the request
 * ends. Keys without limits cost one map lookup.
 */
@Singleton
public final class RequestLimits {
  private static final String ADMITTED = "sage.ratelimit.admitted";

  private final KeyLimitBook book;
  private final BudgetLedger budgets;
  private final Clock clock;
  private final Map<String, RateWindow> windows = new ConcurrentHashMap<>();

  RequestLimits(KeyLimitBook book, BudgetLedger budgets, Clock clock) {
    this.book = book;
    this.budgets = budgets;
    this.clock = clock;
  }

  /** Empty when the request may go on (then counted), else the 429 to answer. */
  public Optional<MutableHttpResponse<?>> check(ProxyCall call, int bodyLength) {
    String key = Actors.of(call.request());
    KeyLimits limits = book.find(key);
    if (limits == null) {
      return Optional.empty();
    }
    long now = clock.millis();
    if (limits.hasBudget()) {
      long spent = budgets.spent(key, limits.budgetPeriod(), now);
      if (spent >= limits.budgetTokens()) {
        return Optional.of(
            OpenAiError.response(
                429,
                "API key "
                    + key
                    + " has used its budget of "
                    + limits.budgetTokens()
                    + " tokens per "
                    + limits.budgetPeriod().wireName()
                    + " ("
                    + spent
                    + " spent); it renews at "
                    + budgets.periodEnd(limits.budgetPeriod()),
                "insufficient_quota",
                "insufficient_quota"));
      }
    }
    if (!limits.hasRateLimit()) {
      return Optional.empty();
    }
    long estimate = Math.max(1, bodyLength / 4);
    long second = now / 1000;
    RateWindow window = windows.computeIfAbsent(key, k -> new RateWindow());
    RateWindow.Decision decision = window.admit(second, limits.rpm(), limits.tpm(), estimate);
    RateLimitHeaders.Values headers =
        new RateLimitHeaders.Values(
            limits.rpm(),
            limits.tpm(),
            decision.remainingRequests(),
            decision.resetRequestsSeconds(),
            decision.remainingTokens(),
            decision.resetTokensSeconds());
    if (!decision.allowed()) {
      MutableHttpResponse<?> refused =
          OpenAiError.response(
                  429,
                  "Rate limit reached for API key "
                      + key
                      + (decision.requestsExceeded()
                          ? " on requests per minute: limit " + limits.rpm()
                          : " on tokens per minute: limit " + limits.tpm())
                      + "; retry in "
                      + decision.retryAfterSeconds()
                      + " s",
                  "rate_limit_error",
                  "rate_limit_exceeded")
              .header("Retry-After", Long.toString(decision.retryAfterSeconds()));
      headers.apply(refused);
      return Optional.of(refused);
    }
    call.request().setAttribute(RateLimitHeaders.ATTRIBUTE, headers);
    call.attributes().put(ADMITTED, new long[] {second, estimate});
    return Optional.empty();
  }

  /** Replaces the admission's token estimate by the request's real tokens. */
  public void settle(ProxyCall call, long tokens, long nowMillis) {
    Object admitted = call.attributes().get(ADMITTED);
    if (admitted == null) {
      return;
    }
    long[] at = (long[]) admitted;
    RateWindow window = windows.get(Actors.of(call.request()));
    if (window != null) {
      window.adjust(at[0], tokens - at[1], nowMillis / 1000);
    }
  }
}

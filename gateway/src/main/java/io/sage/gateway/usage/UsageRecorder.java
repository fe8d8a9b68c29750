package io.sage.gateway.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sage.gateway.config.UsageConfig;
import io.sage.gateway.limits.BudgetLedger;
import io.sage.gateway.limits.RequestLimits;
import io.sage.gateway.observability.UsageTail;
import io.sage.gateway.openai.ProxyCall;
import io.sage.gateway.openai.ProxyListener;
import io.sage.gateway.openai.ProxyOutcome;
import io.sage.gateway.security.Actors;
import io.sage.host.usage.UsageRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accounts every finished inference request: its tokens (the engine's {@code usage}, read once from
 * the response's tail) go to the key's budget, to the token rate window's correction and to the
 * per-key token counters, and one row goes to the {@link UsageWriter}'s queue. Runs on the I/O
 * thread at the end of the response; touches no database.
 */
// made at startup with the BudgetLedger, which reads the database once: made lazily at the first
// request, a first request during a database outage would fail (docs/cluster.md)
@io.micronaut.context.annotation.Context
final class UsageRecorder implements ProxyListener {
  private static final int MAX_MODEL = 1024;

  private final UsageConfig settings;
  private final UsageWriter writer;
  private final BudgetLedger budgets;
  private final RequestLimits limits;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Map<String, Counter[]> counters = new ConcurrentHashMap<>();

  UsageRecorder(
      UsageConfig settings,
      UsageWriter writer,
      BudgetLedger budgets,
      RequestLimits limits,
      Clock clock,
      Optional<MeterRegistry> registry) {
    this.settings = settings;
    this.writer = writer;
    this.budgets = budgets;
    this.limits = limits;
    this.clock = clock;
    this.registry = registry.orElse(null);
  }

  @Override
  public void onEnd(ProxyCall call, ProxyOutcome outcome) {
    long prompt = 0;
    long completion = 0;
    if (outcome.status() == 200 && outcome.completed()) {
      Optional<UsageTail.Usage> usage = UsageTail.of(call);
      if (usage.isPresent()) {
        prompt = usage.get().promptTokens();
        completion = usage.get().completionTokens();
      }
    }
    String key = Actors.of(call.request());
    long now = clock.millis();
    long total = prompt + completion;
    budgets.add(key, total, now);
    limits.settle(call, total, now);
    if (registry != null && total > 0) {
      Counter[] meters = counters.computeIfAbsent(key, this::meters);
      meters[0].increment(prompt);
      meters[1].increment(completion);
    }
    if (!settings.enabled()) {
      return;
    }
    long end = System.nanoTime();
    String model = call.model();
    writer.offer(
        new UsageRecord(
            Instant.ofEpochMilli(now),
            key,
            model.length() > MAX_MODEL ? model.substring(0, MAX_MODEL) : model,
            outcome.engineId(),
            call.route(),
            outcome.status(),
            prompt,
            completion,
            call.firstByteNanos() == 0
                ? -1
                : (call.firstByteNanos() - call.startNanos()) / 1_000_000,
            (end - call.startNanos()) / 1_000_000));
  }

  private Counter[] meters(String key) {
    return new Counter[] {
      Counter.builder("sage.key.tokens")
          .description("Tokens reported by the engines' usage, per API key id")
          .tags("key_id", key, "type", "prompt")
          .register(registry),
      Counter.builder("sage.key.tokens")
          .description("Tokens reported by the engines' usage, per API key id")
          .tags("key_id", key, "type", "completion")
          .register(registry)
    };
  }
}

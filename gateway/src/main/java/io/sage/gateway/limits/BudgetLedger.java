package io.sage.gateway.limits;

import io.sage.host.store.UsageStore;
import io.sage.host.usage.BudgetPeriod;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens each key spent in the current UTC day and month. Loaded at startup from the usage roll-ups
 * (so spend survives a restart, less what a crash lost of the last batch window), then kept in
 * memory: every finished request adds its tokens.
 */
// made at startup, while the database answers: it reads the month's and the day's usage once;
// made lazily, a first request during a database outage would fail (docs/cluster.md)
@io.micronaut.context.annotation.Context
public final class BudgetLedger {
  private final Clock clock;
  private final Map<String, Spend> byKey = new ConcurrentHashMap<>();

  BudgetLedger(UsageStore store, Clock clock) {
    this.clock = clock;
    Instant now = clock.instant();
    Instant day = BudgetPeriod.DAY.start(now);
    Instant month = BudgetPeriod.MONTH.start(now);
    Map<String, Long> monthSpent = store.tokensByKeySince(month);
    Map<String, Long> daySpent = store.tokensByKeySince(day);
    for (Map.Entry<String, Long> e : monthSpent.entrySet()) {
      Spend spend = spend(e.getKey());
      spend.month = e.getValue();
      spend.day = daySpent.getOrDefault(e.getKey(), 0L);
    }
  }

  /** Adds a finished request's tokens to its key's spend. */
  public void add(String keyId, long tokens, long nowMillis) {
    if (tokens > 0) {
      spend(keyId).add(tokens, nowMillis / 1000);
    }
  }

  /** What the key spent in the current {@code period}. */
  public long spent(String keyId, BudgetPeriod period, long nowMillis) {
    Spend spend = byKey.get(keyId);
    return spend == null ? 0 : spend.spent(period, nowMillis / 1000);
  }

  /** When the current {@code period} ends. */
  public Instant periodEnd(BudgetPeriod period) {
    return period.end(clock.instant());
  }

  private Spend spend(String keyId) {
    return byKey.computeIfAbsent(keyId, k -> new Spend(clock.instant()));
  }

  /** One key's counters; each rolls over when its period ends. */
  private static final class Spend {
    private long day;
    private long month;
    private long dayEnd;
    private long monthEnd;

    Spend(Instant now) {
      dayEnd = BudgetPeriod.DAY.end(now).getEpochSecond();
      monthEnd = BudgetPeriod.MONTH.end(now).getEpochSecond();
    }

    synchronized void add(long tokens, long now) {
      roll(now);
      day += tokens;
      month += tokens;
    }

    synchronized long spent(BudgetPeriod period, long now) {
      roll(now);
      return switch (period) {
        case DAY -> day;
        case MONTH -> month;
      };
    }

    private void roll(long now) {
      if (now >= dayEnd) {
        day = 0;
        dayEnd = BudgetPeriod.DAY.end(Instant.ofEpochSecond(now)).getEpochSecond();
      }
      if (now >= monthEnd) {
        month = 0;
        monthEnd = BudgetPeriod.MONTH.end(Instant.ofEpochSecond(now)).getEpochSecond();
      }
    }
  }
}

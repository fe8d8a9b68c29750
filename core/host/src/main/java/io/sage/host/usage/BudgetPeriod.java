package io.sage.host.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;

/** The period a token budget covers, in UTC. */
public enum BudgetPeriod {
  DAY,
  MONTH;

  /** The name stored and shown: {@code day} or {@code month}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static BudgetPeriod parse(String name) {
    for (BudgetPeriod period : values()) {
      if (period.wireName().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return period;
      }
    }
    throw new IllegalArgumentException(
        "budget period must be 'day' or 'month', got '" + name + "'");
  }

  /** The start of the period {@code at} falls in. */
  public Instant start(Instant at) {
    LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
    return switch (this) {
      case DAY -> day.atStartOfDay(ZoneOffset.UTC).toInstant();
      case MONTH -> day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    };
  }

  /** The start of the next period. */
  public Instant end(Instant at) {
    Instant start = start(at);
    return switch (this) {
      case DAY -> start.plusSeconds(86_400);
      case MONTH ->
          start
              .atZone(ZoneOffset.UTC)
              .toLocalDate()
              .plusMonths(1)
              .atStartOfDay(ZoneOffset.UTC)
              .toInstant();
    };
  }
}

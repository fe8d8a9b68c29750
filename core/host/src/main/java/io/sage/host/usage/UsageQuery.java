package io.sage.host.usage;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A read of the hourly roll-ups: the hours overlapping {@code [from, to)}, optionally one key and
 * one model, grouped by any of {@link Dimension} (none: one total row).
 */
public record UsageQuery(
    Instant from, Instant to, String keyId, String model, List<Dimension> groupBy) {

  /** What rows are grouped by. */
  public enum Dimension {
    KEY,
    MODEL,
    HOUR,
    DAY
  }

  public UsageQuery {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to");
    }
    groupBy = groupBy == null ? List.of() : List.copyOf(groupBy);
    if (groupBy.contains(Dimension.HOUR) && groupBy.contains(Dimension.DAY)) {
      throw new IllegalArgumentException("group by hour or by day, not both");
    }
  }

  /** First epoch hour read (the hour {@code from} falls in). */
  public long firstHour() {
    return Math.floorDiv(from.getEpochSecond(), 3600);
  }

  /**
   * Epoch hour after the last one read (the hour {@code to} falls in counts when partly covered).
   */
  public long endHour() {
    return Math.floorDiv(to.getEpochSecond() + 3599, 3600);
  }
}

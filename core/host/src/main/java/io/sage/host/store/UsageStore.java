package io.sage.host.store;

import io.sage.host.usage.UsageQuery;
import io.sage.host.usage.UsageRecord;
import io.sage.host.usage.UsageTotals;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Usage rows and their hourly roll-ups: the persistence port, implemented by the {@code db} module.
 */
public interface UsageStore {

  /**
   * Appends the rows and adds them to their roll-ups in one transaction, durable when this returns.
   */
  void append(List<UsageRecord> records);

  /** Reads the roll-ups; rows ordered by the grouped values. */
  List<UsageTotals> query(UsageQuery query);

  /**
   * Total tokens per key in the hours from {@code since} (an hour boundary) on: what budgets have
   * spent, read once at startup.
   */
  Map<String, Long> tokensByKeySince(Instant since);

  /**
   * Deletes raw rows older than {@code before}, oldest first, until at least {@code limit} went (in
   * whole stored batches, so a few more may go) or none is left; returns how many went.
   */
  int pruneRecords(Instant before, int limit);

  /** Raw rows, newest first (for tests and inspection). */
  List<UsageRecord> recent(int limit);
}

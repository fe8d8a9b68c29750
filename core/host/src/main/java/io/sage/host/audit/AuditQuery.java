package io.sage.host.audit;

import java.time.Instant;

/**
 * A filter over the audit log; null fields match everything. Results are newest first.
 *
 * @param actor only this key id
 * @param action only this action
 * @param target only this target
 * @param since only entries at or after this instant
 * @param until only entries before this instant
 * @param limit page size (1..1000)
 * @param offset rows to skip
 */
public record AuditQuery(
    String actor,
    String action,
    String target,
    Instant since,
    Instant until,
    int limit,
    int offset) {
  public AuditQuery {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be between 1 and 1000");
    }
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0");
    }
  }

  /** A query without a time window. */
  public AuditQuery(String actor, String action, String target, int limit, int offset) {
    this(actor, action, target, null, null, limit, offset);
  }
}

package io.sage.host.audit;

/**
 * A filter over the audit log; null fields match everything. Results are newest first.
 *
 * @param actor only this key id
 * @param action only this action
 * @param target only this target
 * @param limit page size (1..1000)
 * @param offset rows to skip
 */
public record AuditQuery(String actor, String action, String target, int limit, int offset) {
  public AuditQuery {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be between 1 and 1000");
    }
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0");
    }
  }
}

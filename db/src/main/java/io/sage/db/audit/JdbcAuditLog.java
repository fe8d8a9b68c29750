package io.sage.db.audit;

import io.sage.db.DurableWrites;
import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Objects;

/** The audit log table. An append has reached the database file when it returns. */
@Singleton
public class JdbcAuditLog {
  private final AuditRowRepository rows;
  private final DurableWrites writes;

  JdbcAuditLog(AuditRowRepository rows, DurableWrites writes) {
    this.rows = rows;
    this.writes = writes;
  }

  /** Appends the entry; its id is ignored, the database assigns one. */
  public void append(AuditEntry entry) {
    AuditRow row = AuditRow.of(Objects.requireNonNull(entry, "entry"));
    writes.write(() -> rows.save(row));
  }

  /** The rows matching the query, newest first. */
  public List<AuditEntry> find(AuditQuery query) {
    Objects.requireNonNull(query, "query");
    return rows
        .findNewestFirst(
            query.actor(),
            query.action(),
            query.target(),
            query.since(),
            query.until(),
            query.limit(),
            query.offset())
        .stream()
        .map(AuditRow::toEntry)
        .toList();
  }
}

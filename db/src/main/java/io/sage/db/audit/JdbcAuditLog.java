package io.sage.db.audit;

import io.micronaut.transaction.annotation.Transactional;
import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Objects;

/** The audit log table. Appends commit before returning; reads are newest first. */
@Singleton
public class JdbcAuditLog {
  private final AuditRowRepository rows;

  JdbcAuditLog(AuditRowRepository rows) {
    this.rows = rows;
  }

  /** Appends the entry; its id is ignored, the database assigns one. */
  @Transactional
  public void append(AuditEntry entry) {
    rows.save(AuditRow.of(Objects.requireNonNull(entry, "entry")));
  }

  /** The rows matching the query, newest first. */
  @Transactional(readOnly = true)
  public List<AuditEntry> find(AuditQuery query) {
    Objects.requireNonNull(query, "query");
    return rows.findNewestFirst(query.actor(), query.action(), query.target(), query.limit(),
            query.offset())
        .stream()
        .map(AuditRow::toEntry)
        .toList();
  }
}

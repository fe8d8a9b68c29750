package io.sage.db.audit;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.sage.host.audit.AuditEntry;
import java.time.Instant;

/** One row of {@code audit_log}. */
@MappedEntity(value = "audit_log", escape = false)
record AuditRow(
    @Id @GeneratedValue @Nullable Long id,
    Instant at,
    String actor,
    String action,
    @Nullable String target,
    String outcome,
    @Nullable String detail) {

  static AuditRow of(AuditEntry entry) {
    return new AuditRow(
        null,
        entry.at(),
        entry.actor(),
        entry.action(),
        entry.target(),
        entry.outcome(),
        entry.detail());
  }

  AuditEntry toEntry() {
    return new AuditEntry(id, at, actor, action, target, outcome, detail);
  }
}

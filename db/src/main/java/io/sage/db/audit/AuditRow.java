package io.sage.db.audit;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** One row of {@code audit_log}. */
@MappedEntity("audit_log")
public record AuditRow(
    @Id @GeneratedValue @Nullable Long id,
    Instant at,
    String actor,
    String action,
    @Nullable String target,
    String outcome,
    @Nullable String detail) {}

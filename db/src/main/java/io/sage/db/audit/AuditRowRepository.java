package io.sage.db.audit;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.H2)
interface AuditRowRepository extends GenericRepository<AuditRow, Long> {

  AuditRow save(AuditRow row);

  /**
   * A null filter matches every row. The casts give H2 a type for a parameter that is only compared
   * with NULL.
   */
  @Query(
      """
      SELECT * FROM audit_log
      WHERE (CAST(:actor AS VARCHAR) IS NULL OR actor = :actor)
        AND (CAST(:action AS VARCHAR) IS NULL OR action = :action)
        AND (CAST(:target AS VARCHAR) IS NULL OR target = :target)
        AND (CAST(:since AS TIMESTAMP WITH TIME ZONE) IS NULL OR at >= :since)
        AND (CAST(:until AS TIMESTAMP WITH TIME ZONE) IS NULL OR at < :until)
      ORDER BY id DESC
      LIMIT :limit OFFSET :offset""")
  List<AuditRow> findNewestFirst(
      @Nullable String actor,
      @Nullable String action,
      @Nullable String target,
      @Nullable Instant since,
      @Nullable Instant until,
      int limit,
      int offset);
}

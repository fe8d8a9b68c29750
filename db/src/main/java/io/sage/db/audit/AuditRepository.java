package io.sage.db.audit;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.H2)
public interface AuditRepository extends CrudRepository<AuditRow, Long> {
  @Query("SELECT * FROM audit_log WHERE (CAST(:actor AS VARCHAR(128)) IS NULL OR actor = :actor)"
      + " AND (CAST(:action AS VARCHAR(64)) IS NULL OR action = :action)"
      + " AND (CAST(:target AS VARCHAR(128)) IS NULL OR target = :target)"
      + " ORDER BY id DESC LIMIT :limit OFFSET :offset")
  List<AuditRow> search(@Nullable String actor, @Nullable String action, @Nullable String target, int limit, int offset);
}

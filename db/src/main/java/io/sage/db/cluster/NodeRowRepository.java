package io.sage.db.cluster;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.H2)
interface NodeRowRepository extends GenericRepository<NodeRow, String> {

  NodeRow save(NodeRow row);

  NodeRow update(NodeRow row);

  boolean existsById(String id);

  @Query("SELECT * FROM nodes ORDER BY id")
  List<NodeRow> findAllById();

  @Query("UPDATE nodes SET last_seen_at = :at WHERE id = :id")
  long touch(String id, Instant at);
}

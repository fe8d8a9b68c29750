package io.sage.db.engine;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.H2)
interface EngineEventRepository extends CrudRepository<EngineEventRow, Long> {
  @Query("SELECT * FROM engine_events WHERE engine_id = :engineId ORDER BY id DESC LIMIT :limit")
  List<EngineEventRow> newestFirst(String engineId, int limit);
}

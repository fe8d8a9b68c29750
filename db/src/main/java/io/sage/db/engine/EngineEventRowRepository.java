package io.sage.db.engine;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.H2)
interface EngineEventRowRepository extends GenericRepository<EngineEventRow, Long> {

  EngineEventRow save(EngineEventRow row);

  /** Newest first: ids grow with insertion, timestamps may tie. */
  @Query("SELECT * FROM engine_events WHERE engine_id = :engineId ORDER BY id DESC LIMIT :limit")
  List<EngineEventRow> findNewestFirst(String engineId, int limit);
}

package io.sage.db.engine;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.H2)
interface EngineRowRepository extends CrudRepository<EngineRow, String> {
  List<EngineRow> listOrderByCreatedAtAsc();
}

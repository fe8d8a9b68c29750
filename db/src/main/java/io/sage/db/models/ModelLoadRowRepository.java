package io.sage.db.models;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.H2)
interface ModelLoadRowRepository extends GenericRepository<ModelLoadRow, Long> {

  ModelLoadRow save(ModelLoadRow row);

  @Query("SELECT * FROM model_loads WHERE model = :model ORDER BY id DESC LIMIT :limit")
  List<ModelLoadRow> findNewestFirst(String model, int limit);
}

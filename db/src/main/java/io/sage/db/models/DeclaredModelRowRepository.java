package io.sage.db.models;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.H2)
interface DeclaredModelRowRepository extends GenericRepository<DeclaredModelRow, String> {

  DeclaredModelRow save(DeclaredModelRow row);

  @Query("SELECT * FROM declared_models ORDER BY kind DESC, name")
  List<DeclaredModelRow> findAllByKindAndName();

  @Query("DELETE FROM declared_models")
  long deleteEvery();
}

package io.sage.db.security;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.H2)
interface ApiKeyRowRepository extends GenericRepository<ApiKeyRow, String> {

  ApiKeyRow save(ApiKeyRow row);

  Optional<ApiKeyRow> findById(String id);

  @Query("SELECT * FROM api_keys ORDER BY created_at, id")
  List<ApiKeyRow> findAllOldestFirst();

  @Query("UPDATE api_keys SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL")
  long revoke(String id, Instant at);

  @Query("UPDATE api_keys SET last_used_at = :at WHERE id = :id")
  long touch(String id, Instant at);
}

package io.sage.db.session;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.H2)
interface SessionRowRepository extends GenericRepository<SessionRow, String> {

  SessionRow save(SessionRow row);

  Optional<SessionRow> findById(String id);

  void deleteById(String id);

  @Query(
      """
      SELECT s.id, s.title, s.owner_key_id, s.created_at, s.last_active_at,
             (SELECT COUNT(*) FROM session_messages m WHERE m.session_id = s.id) AS message_count
      FROM sessions s WHERE s.id = :id""")
  Optional<SessionSummaryRow> findSummary(String id);

  /** Newest activity first; a null owner matches every session. */
  @Query(
      """
      SELECT s.id, s.title, s.owner_key_id, s.created_at, s.last_active_at,
             (SELECT COUNT(*) FROM session_messages m WHERE m.session_id = s.id) AS message_count
      FROM sessions s
      WHERE (CAST(:owner AS VARCHAR) IS NULL OR s.owner_key_id = :owner)
      ORDER BY s.last_active_at DESC, s.created_at DESC, s.id""")
  List<SessionSummaryRow> findSummaries(@Nullable String owner);

  @Query("UPDATE sessions SET title = :title, last_active_at = :now WHERE id = :id")
  long rename(String id, String title, Instant now);

  /** Marks activity; sets the title only when the session has none yet. */
  @Query(
      """
      UPDATE sessions SET last_active_at = GREATEST(last_active_at, :now),
                          title = COALESCE(title, CAST(:title AS VARCHAR(200)))
      WHERE id = :id""")
  long touch(String id, Instant now, @Nullable String title);

  @Query(
      """
      SELECT id FROM sessions
      WHERE last_active_at < :cutoff AND (CAST(:owner AS VARCHAR) IS NULL OR owner_key_id = :owner)
      ORDER BY id""")
  List<String> findIdleIds(Instant cutoff, @Nullable String owner);
}

package io.sage.db.session;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.H2)
interface SessionMessageRowRepository extends GenericRepository<SessionMessageRow, Long> {

  SessionMessageRow save(SessionMessageRow row);

  @Query("SELECT * FROM session_messages WHERE session_id = :sessionId ORDER BY seq")
  List<SessionMessageRow> findInOrder(String sessionId);

  /** The last {@code limit} replayable messages, newest first (the caller reverses them). */
  @Query(
      """
      SELECT * FROM session_messages WHERE session_id = :sessionId AND status = 'ok'
      ORDER BY seq DESC LIMIT :limit""")
  List<SessionMessageRow> findLastOk(String sessionId, int limit);

  @Query("SELECT COALESCE(MAX(seq), 0) FROM session_messages WHERE session_id = :sessionId")
  long maxSeq(String sessionId);

  @Query("DELETE FROM session_messages WHERE session_id = :sessionId")
  long deleteBySession(String sessionId);
}

package io.sage.db.engine;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.H2)
interface EngineRowRepository extends CrudRepository<EngineRow, String> {

  /** Oldest first; the id breaks ties so the order is stable. */
  @Query("SELECT * FROM engines ORDER BY created_at, id")
  List<EngineRow> findAllOldestFirst();

  /** One node's engines, oldest first. */
  @Query("SELECT * FROM engines WHERE node_id = :nodeId ORDER BY created_at, id")
  List<EngineRow> findAllOfNodeOldestFirst(String nodeId);

  /** The nodes other than {@code nodeId} that own engines. */
  @Query("SELECT DISTINCT node_id FROM engines WHERE node_id IS NOT NULL AND node_id <> :nodeId")
  List<String> findOtherNodeIds(String nodeId);

  /** The node that owns the engine; none when there is no such row or it belongs to no node. */
  @Query("SELECT node_id FROM engines WHERE id = :id AND node_id IS NOT NULL")
  List<String> findNodeOf(String id);

  /** Records the node that owns the engine (the column is not part of {@link EngineRow}). */
  @Query("UPDATE engines SET node_id = :nodeId WHERE id = :id")
  long assignNode(String id, String nodeId);

  /** Gives the rows that belong to no node (written before V19) to this one. */
  @Query("UPDATE engines SET node_id = :nodeId WHERE node_id IS NULL")
  long claimUnowned(String nodeId);
}

package io.sage.db.cluster;

import io.sage.db.DurableWrites;
import io.sage.host.cluster.Node;
import io.sage.host.store.NodeStore;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The {@code nodes} table. A registration replaces the row a previous run of the same node left
 * (update, else insert, in one transaction: portable where {@code MERGE} is not).
 */
@Singleton
public class JdbcNodeStore implements NodeStore {
  private final NodeRowRepository rows;
  private final DurableWrites writes;

  JdbcNodeStore(NodeRowRepository rows, DurableWrites writes) {
    this.rows = rows;
    this.writes = writes;
  }

  @Override
  public void register(Node node) {
    NodeRow row = NodeRow.of(Objects.requireNonNull(node, "node"));
    writes.write(
        () -> {
          if (rows.existsById(row.id())) {
            rows.update(row);
          } else {
            rows.save(row);
          }
        });
  }

  @Override
  public boolean heartbeat(String id, Instant at) {
    Objects.requireNonNull(id, "id");
    return writes.write(() -> rows.touch(id, at)) > 0;
  }

  @Override
  public List<Node> findAll() {
    return rows.findAllById().stream().map(NodeRow::toNode).toList();
  }
}

package io.sage.host.store;

import io.sage.host.cluster.Node;
import java.time.Instant;
import java.util.List;

/**
 * The nodes sharing the store (docs/cluster.md): the persistence port of {@link
 * io.sage.host.cluster.NodeHeartbeat}, implemented by the {@code db} module. Every method talks to
 * the database and may fail when it is unreachable.
 */
public interface NodeStore {

  /** Writes the node's row, replacing the one a previous run of it left. */
  void register(Node node);

  /** Moves the node's last-seen time; false when it has no row (it was removed meanwhile). */
  boolean heartbeat(String id, Instant at);

  /** Every node, by id. */
  List<Node> findAll();
}

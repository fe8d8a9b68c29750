package io.sage.host.store;

import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import io.sage.host.cluster.ClusterEngine;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import java.util.List;
import java.util.Optional;

/**
 * The registry's persistence port, implemented by the {@code db} module. Every method commits
 * before it returns: an acknowledged write survives {@code kill -9} of the gateway. Methods may
 * block; callers keep them off the event loop.
 */
public interface EngineStore {

  /** Stores a new engine together with its first event, atomically. */
  void insert(EngineRecord engine, EngineEvent firstEvent);

  /** Replaces the stored row of an existing engine (no state change implied). */
  void update(EngineRecord engine);

  /** Replaces the stored row and appends the transition's event, atomically. */
  void transition(EngineRecord engine, EngineEvent event);

  Optional<EngineRecord> find(String id);

  /** All engines, oldest first. */
  List<EngineRecord> findAll();

  /**
   * The engines of the other nodes sharing this database (docs/cluster.md), oldest first; none for
   * a store of one node. A row whose secrets cannot be read here (another {@code secret.key}) is
   * left out, with a warning.
   */
  default List<ClusterEngine> findOtherNodes() {
    return List.of();
  }

  /** The engine with that id on whichever node runs it; empty when there is no such row. */
  default Optional<ClusterEngine> findOnAnyNode(String id) {
    return Optional.empty();
  }

  /** Forgets an engine; its events stay. */
  void delete(String id);

  /** The engine's events, newest first, at most {@code limit}. */
  List<EngineEvent> events(String engineId, int limit);

  /** Appends an audit row. */
  void audit(AuditEntry entry);

  /** Audit rows matching the query, newest first. */
  List<AuditEntry> audit(AuditQuery query);
}

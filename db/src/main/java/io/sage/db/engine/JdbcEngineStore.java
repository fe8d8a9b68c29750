package io.sage.db.engine;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.sage.db.DurableWrites;
import io.sage.db.audit.JdbcAuditLog;
import io.sage.db.cluster.ChangeFeed;
import io.sage.db.secret.SecretBox;
import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import io.sage.host.cluster.ClusterEngine;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.store.EngineStore;
import io.sage.host.store.SecretKeys;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's store on H2 through Micronaut Data JDBC. Each write is one transaction that has
 * reached the database file when the method returns ({@link DurableWrites}); a row and its event
 * commit together or not at all.
 *
 * <p>With several gateways on one database (docs/cluster.md) each engine belongs to the node that
 * launched it ({@code engines.node_id}): {@link #findAll} returns this node's engines only, so a
 * gateway loads, adopts and relaunches its own and never another node's. Without a node id ({@code
 * sage.node.id} unset: tests, tools) every row is returned. The other nodes' rows are read by
 * {@link #findOtherNodes} and {@link #findOnAnyNode}, for routing; every write announces itself to
 * them on PostgreSQL ({@link ChangeFeed#ENGINES}, in the write's transaction).
 */
@Singleton
public class JdbcEngineStore implements EngineStore, SecretKeys {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcEngineStore.class);
  private final EngineRowRepository engines;
  private final EngineEventRowRepository events;
  private final JdbcAuditLog auditLog;
  private final DurableWrites writes;
  private final SecretBox secrets;
  private final String nodeId;

  /** Other nodes' engines whose secrets this node cannot open, warned about once. */
  private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

  /** Writes share it; re-encrypting every row takes it alone, so no write lands in between. */
  private final ReentrantReadWriteLock rowsLock = new ReentrantReadWriteLock();

  JdbcEngineStore(
      EngineRowRepository engines,
      EngineEventRowRepository events,
      JdbcAuditLog auditLog,
      DurableWrites writes,
      SecretBox secrets,
      @Value("${sage.node.id:}") @Nullable String nodeId) {
    this.engines = engines;
    this.events = events;
    this.auditLog = auditLog;
    this.writes = writes;
    this.secrets = secrets;
    this.nodeId = nodeId == null ? "" : nodeId.trim();
  }

  /**
   * Encrypts every row's secrets with the current key (rows written before encryption, or with a
   * key being rotated out); returns how many rows changed.
   */
  public int resealSecrets() {
    rowsLock.writeLock().lock();
    try {
      return writes.write(
          () -> {
            int changed = 0;
            for (EngineRow row : ownRows()) {
              if (!secrets.isCurrent(row.engineApiKey()) || !secrets.isCurrent(row.commandLine())) {
                engines.update(EngineRows.toRow(EngineRows.toRecord(row, secrets), secrets));
                changed++;
              }
            }
            return changed;
          });
    } finally {
      rowsLock.writeLock().unlock();
    }
  }

  @Override
  public java.util.Optional<java.nio.file.Path> secretKeyFile() {
    return secrets.keyFile();
  }

  /**
   * A new secret key: made current, every row re-encrypted with it, the old key forgotten; returns
   * the new key's id. A crash midway leaves both keys in the key file, so nothing is lost.
   */
  @Override
  public String rotateSecretKey() {
    rowsLock.writeLock().lock();
    try {
      String id = secrets.beginRotation();
      resealSecrets();
      secrets.finishRotation();
      return id;
    } finally {
      rowsLock.writeLock().unlock();
    }
  }

  private void locked(Runnable write) {
    rowsLock.readLock().lock();
    try {
      write.run();
    } finally {
      rowsLock.readLock().unlock();
    }
  }

  @Override
  public void insert(EngineRecord engine, EngineEvent firstEvent) {
    requireSameEngine(engine, firstEvent);
    EngineRow row = EngineRows.toRow(engine, secrets);
    locked(
        () ->
            writes.write(
                () -> {
                  if (engines.existsById(engine.id())) {
                    throw new SageException(
                        ErrorCode.ILLEGAL_STATE,
                        "engine " + engine.id() + " is already registered");
                  }
                  engines.save(row);
                  if (!nodeId.isEmpty()) {
                    engines.assignNode(engine.id(), nodeId);
                  }
                  events.save(EngineEventRow.of(firstEvent));
                  announce(engine.id());
                }));
  }

  @Override
  public void update(EngineRecord engine) {
    EngineRow row = EngineRows.toRow(engine, secrets);
    locked(
        () ->
            writes.write(
                () -> {
                  requireStored(engine.id());
                  engines.update(row);
                  announce(engine.id());
                }));
  }

  @Override
  public void transition(EngineRecord engine, EngineEvent event) {
    requireSameEngine(engine, event);
    EngineRow row = EngineRows.toRow(engine, secrets);
    locked(
        () ->
            writes.write(
                () -> {
                  requireStored(engine.id());
                  engines.update(row);
                  events.save(EngineEventRow.of(event));
                  announce(engine.id());
                }));
  }

  @Override
  public Optional<EngineRecord> find(String id) {
    Objects.requireNonNull(id, "id");
    return engines.findById(id).map(row -> EngineRows.toRecord(row, secrets));
  }

  /** This node's engines, oldest first; rows of no node (written before V19) become its own. */
  @Override
  public List<EngineRecord> findAll() {
    if (nodeId.isEmpty()) {
      return engines.findAllOldestFirst().stream()
          .map(row -> EngineRows.toRecord(row, secrets))
          .toList();
    }
    return writes.write(
        () -> ownRows().stream().map(row -> EngineRows.toRecord(row, secrets)).toList());
  }

  /**
   * Every node's engines, oldest first (the cluster's leader and management from any node read
   * them; {@link #findAll} stays this node's).
   */
  public List<EngineRecord> everyNodesEngines() {
    return engines.findAllOldestFirst().stream()
        .map(row -> EngineRows.toRecord(row, secrets))
        .toList();
  }

  /** This node's rows (every row without a node id); call inside a write transaction. */
  private List<EngineRow> ownRows() {
    if (nodeId.isEmpty()) {
      return engines.findAllOldestFirst();
    }
    engines.claimUnowned(nodeId);
    return engines.findAllOfNodeOldestFirst(nodeId);
  }

  /** The engines of the other nodes on this database, oldest first; none without a node id. */
  @Override
  public List<ClusterEngine> findOtherNodes() {
    if (nodeId.isEmpty()) {
      return List.of();
    }
    List<ClusterEngine> all = new ArrayList<>();
    for (String other : engines.findOtherNodeIds(nodeId)) {
      for (EngineRow row : engines.findAllOfNodeOldestFirst(other)) {
        readable(other, row).ifPresent(all::add);
      }
    }
    all.sort(
        java.util.Comparator.comparing((ClusterEngine e) -> e.record().createdAt())
            .thenComparing(e -> e.record().id()));
    return all;
  }

  @Override
  public Optional<ClusterEngine> findOnAnyNode(String id) {
    Objects.requireNonNull(id, "id");
    Optional<EngineRow> row = engines.findById(id);
    if (row.isEmpty()) {
      return Optional.empty();
    }
    // a row of no node (written before V19) is this node's until a node claims it
    String owner = engines.findNodeOf(id).stream().findFirst().orElse(nodeId);
    return readable(owner, row.get());
  }

  private Optional<ClusterEngine> readable(String owner, EngineRow row) {
    try {
      return Optional.of(new ClusterEngine(owner, EngineRows.toRecord(row, secrets)));
    } catch (IllegalStateException e) {
      if (unreadable.add(row.id())) {
        LOG.warn(
            "engine {} of node {} cannot be read here and is not routed to: {} (every node of"
                + " one database needs the same secret.key, docs/cluster.md)",
            row.id(),
            owner,
            e.getMessage());
      }
      return Optional.empty();
    }
  }

  /** In the write's transaction: the other nodes re-read the row once it is committed. */
  private void announce(String engineId) {
    writes.announce(ChangeFeed.ENGINES, nodeId + " " + engineId);
  }

  @Override
  public void delete(String id) {
    Objects.requireNonNull(id, "id");
    locked(
        () ->
            writes.write(
                () -> {
                  engines.deleteById(id);
                  announce(id);
                }));
  }

  @Override
  public List<EngineEvent> events(String engineId, int limit) {
    Objects.requireNonNull(engineId, "engineId");
    if (limit < 1) {
      throw new IllegalArgumentException(
          "engine " + engineId + ": event limit must be at least 1, got " + limit);
    }
    return events.findNewestFirst(engineId, limit).stream().map(EngineEventRow::toEvent).toList();
  }

  @Override
  public void audit(AuditEntry entry) {
    auditLog.append(entry);
  }

  @Override
  public List<AuditEntry> audit(AuditQuery query) {
    return auditLog.find(query);
  }

  private void requireStored(String id) {
    if (!engines.existsById(id)) {
      throw new SageException(ErrorCode.NOT_FOUND, "engine " + id + " is not registered");
    }
  }

  private static void requireSameEngine(EngineRecord engine, EngineEvent event) {
    if (!engine.id().equals(event.engineId())) {
      throw new IllegalArgumentException(
          "engine " + engine.id() + ": event belongs to engine " + event.engineId());
    }
  }
}

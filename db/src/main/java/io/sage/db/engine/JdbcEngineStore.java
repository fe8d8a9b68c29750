package io.sage.db.engine;

import io.sage.db.DurableWrites;
import io.sage.db.audit.JdbcAuditLog;
import io.sage.db.secret.SecretBox;
import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.store.EngineStore;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The registry's store on H2 through Micronaut Data JDBC. Each write is one transaction that has
 * reached the database file when the method returns ({@link DurableWrites}); a row and its event
 * commit together or not at all.
 */
@Singleton
public class JdbcEngineStore implements EngineStore {
  private final EngineRowRepository engines;
  private final EngineEventRowRepository events;
  private final JdbcAuditLog auditLog;
  private final DurableWrites writes;
  private final SecretBox secrets;

  /** Writes share it; re-encrypting every row takes it alone, so no write lands in between. */
  private final ReentrantReadWriteLock rowsLock = new ReentrantReadWriteLock();

  JdbcEngineStore(
      EngineRowRepository engines,
      EngineEventRowRepository events,
      JdbcAuditLog auditLog,
      DurableWrites writes,
      SecretBox secrets) {
    this.engines = engines;
    this.events = events;
    this.auditLog = auditLog;
    this.writes = writes;
    this.secrets = secrets;
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
            for (EngineRow row : engines.findAllOldestFirst()) {
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

  /**
   * A new secret key: made current, every row re-encrypted with it, the old key forgotten; returns
   * the new key's id. A crash midway leaves both keys in the key file, so nothing is lost.
   */
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
                  events.save(EngineEventRow.of(firstEvent));
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
                }));
  }

  @Override
  public Optional<EngineRecord> find(String id) {
    Objects.requireNonNull(id, "id");
    return engines.findById(id).map(row -> EngineRows.toRecord(row, secrets));
  }

  @Override
  public List<EngineRecord> findAll() {
    return engines.findAllOldestFirst().stream()
        .map(row -> EngineRows.toRecord(row, secrets))
        .toList();
  }

  @Override
  public void delete(String id) {
    Objects.requireNonNull(id, "id");
    locked(() -> writes.write(() -> engines.deleteById(id)));
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

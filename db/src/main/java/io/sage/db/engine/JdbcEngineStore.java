package io.sage.db.engine;

import io.sage.db.DurableWrites;
import io.sage.db.audit.JdbcAuditLog;
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

  JdbcEngineStore(
      EngineRowRepository engines,
      EngineEventRowRepository events,
      JdbcAuditLog auditLog,
      DurableWrites writes) {
    this.engines = engines;
    this.events = events;
    this.auditLog = auditLog;
    this.writes = writes;
  }

  @Override
  public void insert(EngineRecord engine, EngineEvent firstEvent) {
    requireSameEngine(engine, firstEvent);
    EngineRow row = EngineRows.toRow(engine);
    writes.write(
        () -> {
          if (engines.existsById(engine.id())) {
            throw new SageException(
                ErrorCode.ILLEGAL_STATE, "engine " + engine.id() + " is already registered");
          }
          engines.save(row);
          events.save(EngineEventRow.of(firstEvent));
        });
  }

  @Override
  public void update(EngineRecord engine) {
    EngineRow row = EngineRows.toRow(engine);
    writes.write(
        () -> {
          requireStored(engine.id());
          engines.update(row);
        });
  }

  @Override
  public void transition(EngineRecord engine, EngineEvent event) {
    requireSameEngine(engine, event);
    EngineRow row = EngineRows.toRow(engine);
    writes.write(
        () -> {
          requireStored(engine.id());
          engines.update(row);
          events.save(EngineEventRow.of(event));
        });
  }

  @Override
  public Optional<EngineRecord> find(String id) {
    Objects.requireNonNull(id, "id");
    return engines.findById(id).map(EngineRows::toRecord);
  }

  @Override
  public List<EngineRecord> findAll() {
    return engines.findAllOldestFirst().stream().map(EngineRows::toRecord).toList();
  }

  @Override
  public void delete(String id) {
    Objects.requireNonNull(id, "id");
    writes.write(() -> engines.deleteById(id));
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

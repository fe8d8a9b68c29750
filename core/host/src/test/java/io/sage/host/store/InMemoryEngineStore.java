package io.sage.host.store;

import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** A hand-written fake of the store port for host unit tests (the real one is tested in db/). */
public class InMemoryEngineStore implements EngineStore {
  private final Map<String, EngineRecord> engines = new LinkedHashMap<>();
  private final List<EngineEvent> events = new ArrayList<>();
  private final List<AuditEntry> audit = new ArrayList<>();
  private final AtomicLong ids = new AtomicLong();

  @Override
  public synchronized void insert(EngineRecord engine, EngineEvent firstEvent) {
    if (engines.containsKey(engine.id())) {
      throw new IllegalStateException("duplicate engine " + engine.id());
    }
    engines.put(engine.id(), engine);
    append(firstEvent);
  }

  @Override
  public synchronized void update(EngineRecord engine) {
    if (!engines.containsKey(engine.id())) {
      throw new IllegalStateException("unknown engine " + engine.id());
    }
    engines.put(engine.id(), engine);
  }

  @Override
  public synchronized void transition(EngineRecord engine, EngineEvent event) {
    update(engine);
    append(event);
  }

  private void append(EngineEvent event) {
    events.add(
        new EngineEvent(
            ids.incrementAndGet(),
            event.engineId(),
            event.from(),
            event.to(),
            event.reason(),
            event.at()));
  }

  @Override
  public synchronized Optional<EngineRecord> find(String id) {
    return Optional.ofNullable(engines.get(id));
  }

  @Override
  public synchronized List<EngineRecord> findAll() {
    return new ArrayList<>(engines.values());
  }

  @Override
  public synchronized void delete(String id) {
    engines.remove(id);
  }

  @Override
  public synchronized List<EngineEvent> events(String engineId, int limit) {
    return events.stream()
        .filter(e -> e.engineId().equals(engineId))
        .sorted(Comparator.comparingLong(EngineEvent::id).reversed())
        .limit(limit)
        .toList();
  }

  /** Every event of every engine, oldest first. */
  public synchronized List<EngineEvent> allEvents() {
    return List.copyOf(events);
  }

  @Override
  public synchronized void audit(AuditEntry entry) {
    audit.add(
        new AuditEntry(
            ids.incrementAndGet(),
            entry.at(),
            entry.actor(),
            entry.action(),
            entry.target(),
            entry.outcome(),
            entry.detail()));
  }

  @Override
  public synchronized List<AuditEntry> audit(AuditQuery query) {
    return audit.stream()
        .filter(a -> query.actor() == null || query.actor().equals(a.actor()))
        .filter(a -> query.action() == null || query.action().equals(a.action()))
        .filter(a -> query.target() == null || query.target().equals(a.target()))
        .filter(a -> query.since() == null || !a.at().isBefore(query.since()))
        .filter(a -> query.until() == null || a.at().isBefore(query.until()))
        .sorted(Comparator.comparingLong(AuditEntry::id).reversed())
        .skip(query.offset())
        .limit(query.limit())
        .toList();
  }
}

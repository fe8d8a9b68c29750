package io.sage.db.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sage.db.audit.AuditRepository;
import io.sage.db.audit.AuditRow;
import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.store.EngineStore;
import io.sage.spi.engine.EngineSpec;
import jakarta.inject.Singleton;
import jakarta.transaction.Transactional;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The registry's store on H2 through Micronaut Data JDBC. Every method runs in its own
 * transaction that has committed when the method returns.
 */
@Singleton
public class JdbcEngineStore implements EngineStore {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final EngineRowRepository engines;
  private final EngineEventRepository events;
  private final AuditRepository audit;

  public JdbcEngineStore(EngineRowRepository engines, EngineEventRepository events, AuditRepository audit) {
    this.engines = engines;
    this.events = events;
    this.audit = audit;
  }

  @Override
  @Transactional
  public void insert(EngineRecord engine, EngineEvent firstEvent) {
    engines.save(toRow(engine));
    events.save(toRow(firstEvent));
  }

  @Override
  @Transactional
  public void update(EngineRecord engine) {
    engines.update(toRow(engine));
  }

  @Override
  @Transactional
  public void transition(EngineRecord engine, EngineEvent event) {
    engines.update(toRow(engine));
    events.save(toRow(event));
  }

  @Override
  @Transactional
  public Optional<EngineRecord> find(String id) {
    return engines.findById(id).map(JdbcEngineStore::toRecord);
  }

  @Override
  @Transactional
  public List<EngineRecord> findAll() {
    return engines.listOrderByCreatedAtAsc().stream().map(JdbcEngineStore::toRecord).toList();
  }

  @Override
  @Transactional
  public void delete(String id) {
    engines.deleteById(id);
  }

  @Override
  @Transactional
  public List<EngineEvent> events(String engineId, int limit) {
    return events.newestFirst(engineId, limit).stream()
        .map(r -> new EngineEvent(r.id(), r.engineId(), r.fromState() == null ? null : EngineState.valueOf(r.fromState()),
            EngineState.valueOf(r.toState()), r.reason(), r.at()))
        .toList();
  }

  @Override
  @Transactional
  public void audit(AuditEntry entry) {
    audit.save(new AuditRow(null, entry.at(), entry.actor(), entry.action(), entry.target(), entry.outcome(),
        entry.detail()));
  }

  @Override
  @Transactional
  public List<AuditEntry> audit(AuditQuery query) {
    return audit.search(query.actor(), query.action(), query.target(), query.limit(), query.offset()).stream()
        .map(r -> new AuditEntry(r.id(), r.at(), r.actor(), r.action(), r.target(), r.outcome(), r.detail()))
        .toList();
  }

  static EngineRow toRow(EngineRecord r) {
    String spec;
    try {
      spec = JSON.writeValueAsString(r.spec());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("engine " + r.id() + ": spec cannot be stored as JSON", e);
    }
    String gpus = r.gpuIds().stream().map(String::valueOf).collect(Collectors.joining(","));
    return new EngineRow(r.id(), r.spec().model(), r.spec().servedModelName(), r.spec().kind().name(),
        r.spec().runtime(), r.spec().label(), spec, r.state().name(), r.desiredState().name(), r.host(), r.port(),
        r.baseUrl(), r.pid(), r.processStartTime(), r.commandLine(), gpus, r.gpuMemoryMib(), r.engineApiKey(),
        r.createdAt(), r.updatedAt(), r.stateSince(), r.lastHeartbeatAt(), r.consecutiveFailures(), r.restartCount(),
        r.lastError());
  }

  static EngineRecord toRecord(EngineRow row) {
    EngineSpec spec;
    try {
      spec = JSON.readValue(row.specJson(), EngineSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("engine " + row.id() + ": stored spec is not readable JSON", e);
    }
    List<Integer> gpus = row.gpuIds() == null || row.gpuIds().isBlank() ? List.of()
        : Arrays.stream(row.gpuIds().split(",")).map(String::trim).map(Integer::valueOf).toList();
    return new EngineRecord(row.id(), spec, EngineState.valueOf(row.state()), DesiredState.valueOf(row.desiredState()),
        row.host(), row.port(), row.baseUrl(), row.pid(), row.processStartTime(), row.commandLine(), gpus,
        row.gpuMemoryMib(), row.engineApiKey(), row.createdAt(), row.updatedAt(), row.stateSince(),
        row.lastHeartbeatAt(), row.consecutiveFailures(), row.restartCount(), row.lastError());
  }

  static EngineEventRow toRow(EngineEvent e) {
    return new EngineEventRow(null, e.engineId(), e.from() == null ? null : e.from().name(), e.to().name(),
        e.reason(), e.at());
  }
}

package io.sage.host.engine;

import io.sage.host.cluster.ClusterEngine;
import io.sage.host.store.EngineStore;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine registry: live entries backed by the store. Every state change is validated by {@link
 * EngineTransitions}, committed to the store together with its event, and only then visible to
 * readers and listeners.
 *
 * <p>With several nodes on one database (docs/cluster.md) the registry also holds the other nodes'
 * engines as they were last read ({@link #putForeign}): {@link #cluster} lists them with this
 * node's own for routing and listing, while {@link #all} (what supervision, placement and the
 * declared models act on) holds this node's own engines only. Another node's entry is never
 * transitioned here; its record is replaced by the next read of its row.
 */
public final class EngineRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(EngineRegistry.class);

  private final EngineStore store;
  private final Clock clock;
  private final Map<String, EngineEntry> entries = new ConcurrentHashMap<>();
  private volatile EngineEntry[] snapshot = new EngineEntry[0];
  private final List<EngineListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, EngineEntry> foreign = new ConcurrentHashMap<>();

  /** For each other node's engine (or one deleted): the ticket of the last read applied to it. */
  private final Map<String, Long> foreignStamps = new ConcurrentHashMap<>();

  private final AtomicLong foreignSequence = new AtomicLong();
  private volatile EngineEntry[] clusterSnapshot = new EngineEntry[0];

  public EngineRegistry(EngineStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  public Clock clock() {
    return clock;
  }

  public EngineStore store() {
    return store;
  }

  /** Loads every stored engine into memory; called once at startup before reconciliation. */
  public synchronized void load() {
    for (EngineRecord record : store.findAll()) {
      entries.put(record.id(), new EngineEntry(record));
      foreign.remove(record.id());
    }
    refreshSnapshot();
  }

  public void addListener(EngineListener listener) {
    listeners.add(listener);
  }

  /** Registers a new engine in {@code record.state()} (STARTING), committing its first event. */
  public EngineEntry create(EngineRecord record, String reason) {
    EngineEvent event =
        new EngineEvent(0, record.id(), null, record.state(), reason, record.createdAt());
    store.insert(record, event);
    EngineEntry entry = new EngineEntry(record);
    synchronized (this) {
      entries.put(record.id(), entry);
      foreign.remove(record.id());
      refreshSnapshot();
    }
    notifyListeners(entry, event);
    return entry;
  }

  /**
   * Moves an engine to {@code to}, applying {@code change} to the new record, after checking the
   * transition is legal. The event is committed before anyone can observe the new state.
   *
   * @throws SageException ILLEGAL_STATE when the transition does not exist
   */
  public EngineRecord transition(
      EngineEntry entry, EngineState to, String reason, UnaryOperator<EngineRecord> change) {
    EngineEvent event;
    EngineRecord updated;
    synchronized (entry) {
      EngineRecord current = entry.record();
      EngineTransitions.checkTransition(current.id(), current.state(), to);
      Instant now = clock.instant();
      updated = change.apply(current.withState(to, now));
      event = new EngineEvent(0, current.id(), current.state(), to, reason, now);
      store.transition(updated, event);
      entry.setRecord(updated);
    }
    LOG.info("engine {} {} -> {}: {}", entry.id(), event.from(), to, reason);
    notifyListeners(entry, event);
    return updated;
  }

  /**
   * Like {@link #transition} but returns false instead of throwing when the engine is no longer in
   * {@code from}.
   */
  public boolean transitionIf(
      EngineEntry entry,
      EngineState from,
      EngineState to,
      String reason,
      UnaryOperator<EngineRecord> change) {
    synchronized (entry) {
      if (entry.state() != from) {
        return false;
      }
      transition(entry, to, reason, change);
      return true;
    }
  }

  /**
   * Like {@link #transition} but only when {@code when} holds for the current record, checked under
   * the entry's lock together with the change (a stop that is pending stops a late probe's READY).
   */
  public boolean transitionWhen(
      EngineEntry entry,
      Predicate<EngineRecord> when,
      EngineState to,
      String reason,
      UnaryOperator<EngineRecord> change) {
    synchronized (entry) {
      if (!when.test(entry.record())) {
        return false;
      }
      transition(entry, to, reason, change);
      return true;
    }
  }

  /**
   * Writes an event that changes no state (from and to are the current state), with {@code change}
   * applied to the row in the same transaction: what happened to an engine that stays where it is
   * (gave up restarting, an orphan process stopped). Listeners are not told, as for {@link
   * #update}; the event is in the engine's history.
   */
  public EngineRecord note(EngineEntry entry, String reason, UnaryOperator<EngineRecord> change) {
    synchronized (entry) {
      EngineRecord current = entry.record();
      Instant now = clock.instant();
      EngineRecord updated = change.apply(current);
      store.transition(
          updated, new EngineEvent(0, current.id(), current.state(), current.state(), reason, now));
      entry.setRecord(updated);
      LOG.info("engine {} ({}): {}", entry.id(), current.state(), reason);
      return updated;
    }
  }

  /** Persists a change that is not a state transition (heartbeat, counters, placement). */
  public EngineRecord update(EngineEntry entry, UnaryOperator<EngineRecord> change) {
    synchronized (entry) {
      EngineRecord updated = change.apply(entry.record());
      store.update(updated);
      entry.setRecord(updated);
      return updated;
    }
  }

  public Optional<EngineEntry> find(String id) {
    return Optional.ofNullable(id == null ? null : entries.get(id));
  }

  /** The entry, or a NOT_FOUND error (HTTP 404) naming the id. */
  public EngineEntry require(String id) {
    return find(id)
        .orElseThrow(
            () ->
                new SageException(
                    ErrorCode.NOT_FOUND, "engine '" + id + "' not found", "engine_id"));
  }

  /** All entries, oldest first. A cheap snapshot, safe to iterate on the request path. */
  public EngineEntry[] all() {
    return snapshot;
  }

  /**
   * Every engine this node knows, its own and the other nodes' (oldest first): what routing chooses
   * from and what the engine list shows. A cheap snapshot, safe to iterate on the request path.
   */
  public EngineEntry[] cluster() {
    return clusterSnapshot;
  }

  /** This node's engine with that id, else another node's. */
  public Optional<EngineEntry> findInCluster(String id) {
    if (id == null) {
      return Optional.empty();
    }
    EngineEntry own = entries.get(id);
    return Optional.ofNullable(own != null ? own : foreign.get(id));
  }

  /**
   * A ticket taken just before a read of other nodes' rows and handed to {@link #putForeign},
   * {@link #removeForeign} or {@link #replaceForeign} with its result. Tickets grow with the time a
   * read began, and a read that began later saw at least what an earlier one saw: what a read
   * applies to an engine is ignored when a read that began later was already applied to it (a slow
   * full read never turns a DRAINING engine READY again nor brings a deleted one back).
   */
  public long foreignMark() {
    return foreignSequence.incrementAndGet();
  }

  /**
   * Another node's engine as read with {@code ticket}; ignored when it is this node's own (this
   * node's memory is the truth for its own engines) or when a later read was applied.
   */
  public synchronized void putForeign(ClusterEngine engine, long ticket) {
    if (apply(engine, ticket)) {
      refreshSnapshot();
    }
  }

  /** Another node's engine is gone from the database (as read with {@code ticket}). */
  public synchronized void removeForeign(String id, long ticket) {
    if (isStale(id, ticket)) {
      return;
    }
    foreignStamps.put(id, ticket);
    if (foreign.remove(id) != null) {
      refreshSnapshot();
    }
  }

  /**
   * The other nodes' engines are exactly {@code engines} (a full read with {@code ticket}): new
   * ones added, changed ones replaced, those no longer in the database forgotten, except where a
   * later read already said otherwise.
   */
  public synchronized void replaceForeign(Collection<ClusterEngine> engines, long ticket) {
    Set<String> present = new HashSet<>();
    for (ClusterEngine engine : engines) {
      present.add(engine.record().id());
      apply(engine, ticket);
    }
    for (String id : Set.copyOf(foreign.keySet())) {
      if (!present.contains(id) && !isStale(id, ticket)) {
        foreign.remove(id);
        foreignStamps.put(id, ticket);
      }
    }
    // a deleted engine's ticket matters only to reads that began about when it was deleted
    foreignStamps
        .entrySet()
        .removeIf(e -> !foreign.containsKey(e.getKey()) && e.getValue() < ticket - 10_000);
    refreshSnapshot();
  }

  private boolean apply(ClusterEngine engine, long ticket) {
    String id = engine.record().id();
    if (entries.containsKey(id) || isStale(id, ticket)) {
      return false;
    }
    foreignStamps.put(id, ticket);
    EngineEntry existing = foreign.get(id);
    if (existing != null && existing.nodeId().equals(engine.nodeId())) {
      // the same entry keeps its in-flight count: leases handed out on it stay counted
      existing.setRecord(engine.record());
    } else {
      foreign.put(id, new EngineEntry(engine.record(), engine.nodeId()));
    }
    return true;
  }

  private boolean isStale(String id, long ticket) {
    Long applied = foreignStamps.get(id);
    return applied != null && applied > ticket;
  }

  /** Forgets an engine (its events stay). */
  public void remove(EngineEntry entry) {
    store.delete(entry.id());
    synchronized (this) {
      entries.remove(entry.id());
      refreshSnapshot();
    }
    for (EngineListener listener : listeners) {
      try {
        listener.onRemoved(entry.record());
      } catch (RuntimeException e) {
        LOG.warn("engine listener failed for removed engine {}", entry.id(), e);
      }
    }
  }

  public List<EngineEvent> events(String id, int limit) {
    return store.events(id, limit);
  }

  private void refreshSnapshot() {
    Comparator<EngineEntry> oldestFirst =
        Comparator.comparing((EngineEntry e) -> e.record().createdAt())
            .thenComparing(EngineEntry::id);
    snapshot = entries.values().stream().sorted(oldestFirst).toArray(EngineEntry[]::new);
    clusterSnapshot =
        java.util.stream.Stream.concat(
                entries.values().stream(),
                foreign.values().stream().filter(e -> !entries.containsKey(e.id())))
            .sorted(oldestFirst)
            .toArray(EngineEntry[]::new);
  }

  private void notifyListeners(EngineEntry entry, EngineEvent event) {
    for (EngineListener listener : listeners) {
      try {
        listener.onTransition(entry.record(), event);
      } catch (RuntimeException e) {
        LOG.warn("engine listener failed for engine {}", entry.id(), e);
      }
    }
  }
}

package io.sage.host.engine;

import io.sage.host.store.EngineStore;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine registry: live entries backed by the store. Every state change is validated by {@link
 * EngineTransitions}, committed to the store together with its event, and only then visible to
 * readers and listeners.
 */
public final class EngineRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(EngineRegistry.class);

  private final EngineStore store;
  private final Clock clock;
  private final Map<String, EngineEntry> entries = new ConcurrentHashMap<>();
  private volatile EngineEntry[] snapshot = new EngineEntry[0];
  private final List<EngineListener> listeners = new CopyOnWriteArrayList<>();

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
    snapshot =
        entries.values().stream()
            .sorted(
                Comparator.comparing((EngineEntry e) -> e.record().createdAt())
                    .thenComparing(EngineEntry::id))
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

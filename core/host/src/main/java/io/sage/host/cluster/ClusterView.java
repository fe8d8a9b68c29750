package io.sage.host.cluster;

import io.sage.host.engine.EngineRegistry;
import io.sage.host.store.ClusterChanges;
import io.sage.host.store.EngineStore;
import io.sage.host.time.Scheduler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the other nodes' engines in this node's registry (docs/cluster.md): the row of an engine
 * another node changed is re-read when the database announces the change, and every engine of the
 * other nodes is re-read every refresh interval and whenever the announcements come back after an
 * outage, so a missed announcement costs at most one interval. While the database cannot be read
 * the registry keeps what it last read: routing goes on to the engines last known READY.
 */
public final class ClusterView implements ClusterChanges.Listener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterView.class);

  private final EngineRegistry registry;
  private final EngineStore store;
  private final Scheduler scheduler;
  private final String selfNodeId;
  private final Duration refreshInterval;
  private final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile Scheduler.Timer timer;
  private volatile AutoCloseable subscription;

  public ClusterView(
      EngineRegistry registry,
      EngineStore store,
      Scheduler scheduler,
      String selfNodeId,
      Duration refreshInterval) {
    if (refreshInterval.isNegative() || refreshInterval.isZero()) {
      throw new IllegalArgumentException("refresh interval must be positive: " + refreshInterval);
    }
    this.registry = registry;
    this.store = store;
    this.scheduler = scheduler;
    this.selfNodeId = selfNodeId;
    this.refreshInterval = refreshInterval;
  }

  public String selfNodeId() {
    return selfNodeId;
  }

  /** Reads the other nodes' engines once, then follows the feed and re-reads every interval. */
  public void start(ClusterChanges changes) {
    refreshAll();
    subscription = changes.subscribe(this);
    timer = scheduler.repeat(refreshInterval, this::refreshAll);
  }

  @Override
  public void engineChanged(String nodeId, String engineId) {
    if (!selfNodeId.equals(nodeId)) {
      reread(engineId);
    }
  }

  @Override
  public void reconnected() {
    scheduler.execute(this::refreshAll);
  }

  /** Re-reads one engine's row soon (the proxy could not reach another node's engine). */
  public void rereadSoon(String engineId) {
    scheduler.execute(() -> reread(engineId));
  }

  /** Re-reads one engine's row now: another node's engine is added, replaced or forgotten. */
  public void reread(String engineId) {
    long ticket = registry.foreignMark();
    Optional<ClusterEngine> row;
    try {
      row = store.findOnAnyNode(engineId);
    } catch (RuntimeException e) {
      failed(e);
      return;
    }
    if (row.isEmpty()) {
      registry.removeForeign(engineId, ticket);
    } else if (!selfNodeId.equals(row.get().nodeId())) {
      registry.putForeign(row.get(), ticket);
    }
  }

  /**
   * Re-reads every engine of the other nodes now; skipped while another full read is under way (one
   * that waits for a database that is down must not pile up more).
   */
  public void refreshAll() {
    if (!refreshing.compareAndSet(false, true)) {
      return;
    }
    long ticket = registry.foreignMark();
    try {
      registry.replaceForeign(store.findOtherNodes(), ticket);
    } catch (RuntimeException e) {
      failed(e);
      return;
    } finally {
      refreshing.set(false);
    }
    if (failing.compareAndSet(true, false)) {
      LOG.info("the other nodes' engines are read from the database again");
    }
  }

  private void failed(RuntimeException e) {
    if (failing.compareAndSet(false, true)) {
      LOG.warn(
          "cannot read the other nodes' engines (routing goes on with what was last read): {}",
          e.getMessage());
    }
  }

  @Override
  public void close() {
    Scheduler.Timer t = timer;
    if (t != null) {
      t.cancel();
    }
    AutoCloseable s = subscription;
    if (s != null) {
      try {
        s.close();
      } catch (Exception e) {
        LOG.warn("the database's change feed did not close cleanly: {}", e.getMessage());
      }
    }
  }
}

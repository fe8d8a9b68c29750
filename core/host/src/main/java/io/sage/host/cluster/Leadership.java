package io.sage.host.cluster;

import io.sage.host.store.ClusterStore;
import io.sage.host.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in electing the cluster's one leader through the store (docs/cluster.md): every
 * renew interval it takes the lease when it is free or expired, or renews the one it holds. The
 * lease outlives a few renewals, so a leader that dies ({@code kill -9}) is replaced within the
 * lease plus one interval.
 *
 * <p>{@link #current} answers from memory and only while the lease runs by this node's clock, so a
 * leader paused past its lease stops acting as leader on its own; the store's fencing (every leader
 * write carries the token) refuses whatever it still tries. A renewal that fails (the database is
 * unreachable) keeps the lease until it runs out.
 */
public final class Leadership implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

  private final ClusterStore store;
  private final Scheduler scheduler;
  private final String nodeId;
  private final Duration lease;
  private final Duration renewInterval;
  private final CopyOnWriteArrayList<Consumer<Optional<LeaderLease>>> listeners =
      new CopyOnWriteArrayList<>();
  private volatile LeaderLease held;
  private Scheduler.Timer timer;
  private boolean failing;

  public Leadership(
      ClusterStore store,
      Scheduler scheduler,
      String nodeId,
      Duration lease,
      Duration renewInterval) {
    this.store = Objects.requireNonNull(store, "store");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.nodeId = Node.requireValidId(nodeId);
    this.lease = Objects.requireNonNull(lease, "lease");
    this.renewInterval = Objects.requireNonNull(renewInterval, "renewInterval");
    if (renewInterval.isNegative() || renewInterval.isZero()) {
      throw new IllegalArgumentException(
          "leader renew interval must be positive: " + renewInterval);
    }
    if (lease.compareTo(renewInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "the leader lease must be at least twice the renew interval, got "
              + lease
              + " and "
              + renewInterval);
    }
  }

  /** Tries for the lease at once, then every renew interval. */
  public synchronized void start() {
    if (timer != null) {
      throw new IllegalStateException("node " + nodeId + ": leadership already started");
    }
    tick();
    timer = scheduler.repeat(renewInterval, this::tick);
  }

  /** Told with the new lease when this node becomes leader, and with empty when it stops. */
  public void onChange(Consumer<Optional<LeaderLease>> listener) {
    listeners.add(listener);
  }

  public String nodeId() {
    return nodeId;
  }

  /** This node's lease while it leads (by its own clock); empty otherwise. */
  public Optional<LeaderLease> current() {
    LeaderLease lease = held;
    if (lease == null || !lease.isValidAt(scheduler.now())) {
      return Optional.empty();
    }
    return Optional.of(lease);
  }

  public boolean isLeader() {
    return current().isPresent();
  }

  /** One round: renew the lease held, else try to take it. Runs on the scheduler's thread. */
  synchronized void tick() {
    Instant now = scheduler.now();
    LeaderLease before = held;
    try {
      if (before != null && before.isValidAt(now)) {
        Optional<LeaderLease> renewed = store.renew(before, now, lease);
        if (renewed.isPresent()) {
          held = renewed.get();
        } else {
          lose(before, "the store refused the renewal: another node took the lease");
        }
      } else {
        if (before != null) {
          lose(before, "its lease ran out before it could be renewed");
        }
        store.acquire(nodeId, now, lease).ifPresent(this::gain);
      }
      if (failing) {
        LOG.info("node {}: the leader lease reaches the store again", nodeId);
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.warn(
            "node {}: the leader lease could not be read or written: {}", nodeId, e.toString());
        failing = true;
      }
      if (before != null && !before.isValidAt(now)) {
        lose(before, "its lease ran out while the store was unreachable");
      }
    }
  }

  private void gain(LeaderLease lease) {
    held = lease;
    LOG.info("node {} is the cluster's leader now, with token {}", nodeId, lease.token());
    notifyListeners(Optional.of(lease));
  }

  private void lose(LeaderLease lease, String why) {
    if (held != lease) {
      return;
    }
    held = null;
    LOG.warn("node {} is no longer the leader (token {}): {}", nodeId, lease.token(), why);
    notifyListeners(Optional.empty());
  }

  private void notifyListeners(Optional<LeaderLease> change) {
    for (Consumer<Optional<LeaderLease>> listener : listeners) {
      try {
        listener.accept(change);
      } catch (RuntimeException e) {
        LOG.warn("node {}: a leadership listener failed: {}", nodeId, e.toString());
      }
    }
  }

  /** Stops trying and gives the lease up, so another node takes over at once. */
  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    LeaderLease lease = held;
    if (lease != null) {
      held = null;
      try {
        store.release(lease);
        LOG.info("node {} gave the leader lease (token {}) up", nodeId, lease.token());
      } catch (RuntimeException e) {
        LOG.warn("node {}: could not give the leader lease up: {}", nodeId, e.toString());
      }
    }
  }
}

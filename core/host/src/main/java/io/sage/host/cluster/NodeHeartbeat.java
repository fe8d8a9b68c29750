package io.sage.host.cluster;

import io.sage.host.store.NodeStore;
import io.sage.host.time.Scheduler;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this gateway as a node when it starts and heartbeats through the store every interval,
 * so every gateway sharing the database can list who is there and who went silent.
 *
 * <p>A heartbeat that fails (the database is unreachable) is retried at the next tick: the node
 * keeps serving, and the failure is logged once until a heartbeat succeeds again. A node whose row
 * disappeared registers again.
 */
public final class NodeHeartbeat implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeHeartbeat.class);

  private final NodeStore store;
  private final Scheduler scheduler;
  private final Duration interval;
  private final Node self;
  private Scheduler.Timer timer;
  private boolean failing;

  /**
   * @param self this node; its {@code startedAt} and {@code lastSeenAt} are replaced by the
   *     scheduler's time at {@link #start}
   */
  public NodeHeartbeat(NodeStore store, Scheduler scheduler, Node self, Duration interval) {
    this.store = Objects.requireNonNull(store, "store");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.interval = Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("node heartbeat interval must be positive: " + interval);
    }
    this.self = Objects.requireNonNull(self, "self");
  }

  /**
   * Registers the node (a failure here fails the start: a node that cannot write to the store at
   * start has no business serving) and starts the heartbeats.
   */
  public synchronized void start() {
    if (timer != null) {
      throw new IllegalStateException("node " + self.id() + ": heartbeat already started");
    }
    register();
    timer = scheduler.repeat(interval, this::beat);
  }

  /** The node this heartbeat registers. */
  public String nodeId() {
    return self.id();
  }

  private synchronized void beat() {
    try {
      if (!store.heartbeat(self.id(), scheduler.now())) {
        register();
        LOG.warn("node {}: its row was gone from the store; registered again", self.id());
      }
      if (failing) {
        LOG.info("node {}: heartbeats reach the store again", self.id());
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.warn(
            "node {}: heartbeat failed, retrying every {}: {}", self.id(), interval, e.toString());
        failing = true;
      }
    }
  }

  private void register() {
    store.register(self.seenAt(scheduler.now()).startedAt(scheduler.now()));
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.cancel();
    }
  }
}

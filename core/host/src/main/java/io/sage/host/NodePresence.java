package io.sage.host;

import io.sage.host.cluster.Node;
import io.sage.host.cluster.NodeHeartbeat;
import io.sage.host.store.NodeStore;
import io.sage.host.time.ThreadPoolScheduler;
import java.time.Clock;
import java.time.Duration;

/**
 * This gateway's presence among the nodes sharing the store (docs/cluster.md): registered when
 * {@link #start} returns, heartbeating on its own timer thread until {@link #close}.
 */
public final class NodePresence implements AutoCloseable {
  private final ThreadPoolScheduler scheduler;
  private final NodeHeartbeat heartbeat;

  private NodePresence(ThreadPoolScheduler scheduler, NodeHeartbeat heartbeat) {
    this.scheduler = scheduler;
    this.heartbeat = heartbeat;
  }

  /**
   * Registers {@code self} and starts its heartbeats.
   *
   * @throws RuntimeException when the store refuses the registration
   */
  public static NodePresence start(NodeStore store, Clock clock, Node self, Duration interval) {
    ThreadPoolScheduler scheduler = new ThreadPoolScheduler(clock);
    NodeHeartbeat heartbeat = new NodeHeartbeat(store, scheduler, self, interval);
    try {
      heartbeat.start();
    } catch (RuntimeException e) {
      scheduler.close();
      throw e;
    }
    return new NodePresence(scheduler, heartbeat);
  }

  @Override
  public void close() {
    heartbeat.close();
    scheduler.close();
  }
}

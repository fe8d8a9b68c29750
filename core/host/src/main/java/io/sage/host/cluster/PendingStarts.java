package io.sage.host.cluster;

import io.sage.host.gpu.GpuRequest;
import io.sage.host.management.StartRequest;
import io.sage.host.store.ClusterStore;
import io.sage.host.store.NodeStore;
import io.sage.host.store.StaleLeaderException;
import io.sage.host.time.Scheduler;
import io.sage.spi.SageException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's placing of starts that name no node (docs/cluster.md): each one waits in the store
 * without a node until the leader picks the node ({@link ClusterPlacement}) and writes it, fenced
 * by its token; the chosen node's command poll launches it. A start written while there is no
 * leader waits for the next one.
 */
public final class PendingStarts {
  private static final Logger LOG = LoggerFactory.getLogger(PendingStarts.class);

  private final ClusterStore store;
  private final NodeStore nodes;
  private final Scheduler scheduler;
  private final Duration lostAfter;
  private final Function<StartRequest, Optional<GpuRequest>> demand;

  /**
   * @param demand validates a start and says what it asks of the GPUs (the control plane's)
   */
  public PendingStarts(
      ClusterStore store,
      NodeStore nodes,
      Scheduler scheduler,
      Duration lostAfter,
      Function<StartRequest, Optional<GpuRequest>> demand) {
    this.store = store;
    this.nodes = nodes;
    this.scheduler = scheduler;
    this.lostAfter = lostAfter;
    this.demand = demand;
  }

  /**
   * Places every start waiting for a node; returns how many it placed.
   *
   * @throws StaleLeaderException when the lease was taken over meanwhile (nothing more is placed)
   */
  public int placeAll(LeaderLease fence) {
    List<EngineCommand> waiting = store.unplaced();
    if (waiting.isEmpty()) {
      return 0;
    }
    Instant now = scheduler.now();
    List<Node> up =
        nodes.findAll().stream().filter(n -> n.state(now, lostAfter) == NodeState.UP).toList();
    int placed = 0;
    for (EngineCommand command : waiting) {
      String subject = "engine " + command.engineId();
      try {
        StartRequest request = CommandArguments.start(command.arguments());
        String node = ClusterPlacement.choose(up, store.engines(), demand.apply(request), subject);
        if (store.place(fence, command.id(), node, scheduler.now())) {
          placed++;
          LOG.info(
              "leader {} (token {}) placed {} ({}) on node {}",
              fence.nodeId(),
              fence.token(),
              subject,
              request.model(),
              node);
        }
      } catch (SageException | IllegalArgumentException e) {
        EngineCommand.CommandError error =
            e instanceof SageException s
                ? new EngineCommand.CommandError(s.code().name(), s.getMessage(), s.param())
                : new EngineCommand.CommandError("INVALID_REQUEST", e.getMessage(), null);
        store.advance(
            command.id(), CommandState.PENDING, CommandState.FAILED, error, scheduler.now());
        LOG.info("leader {} could not place {}: {}", fence.nodeId(), subject, e.getMessage());
      }
    }
    return placed;
  }
}

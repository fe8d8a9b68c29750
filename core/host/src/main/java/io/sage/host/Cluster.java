package io.sage.host;

import io.sage.host.cluster.ClusterCommands;
import io.sage.host.cluster.ClusterEngine;
import io.sage.host.cluster.ClusterReplicas;
import io.sage.host.cluster.CommandAction;
import io.sage.host.cluster.CommandArguments;
import io.sage.host.cluster.CommandState;
import io.sage.host.cluster.EngineCommand;
import io.sage.host.cluster.HandOffScheduler;
import io.sage.host.cluster.LeaderLease;
import io.sage.host.cluster.Leadership;
import io.sage.host.cluster.LostNodes;
import io.sage.host.cluster.Node;
import io.sage.host.cluster.NodeState;
import io.sage.host.cluster.PendingStarts;
import io.sage.host.engine.EngineIds;
import io.sage.host.management.StartRequest;
import io.sage.host.store.ClusterStore;
import io.sage.host.store.NodeStore;
import io.sage.host.store.StaleLeaderException;
import io.sage.host.supervision.ProbeClient;
import io.sage.host.time.ThreadPoolScheduler;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's work beside the {@link ControlPlane} (docs/cluster.md): the leader election, the
 * commands by which any node manages another node's engines, the leader's placing of starts across
 * nodes and its watch over lost nodes' engines. Its parts ({@code io.sage.host.cluster}) reach
 * engines through the {@code ControlPlane} facade only. On H2, or with one gateway, this node is
 * the only one: it leads and every call is carried out here, as without a cluster.
 */
public final class Cluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

  /**
   * @param nodeId this node
   * @param leaderLease how long a lease runs without renewal
   * @param renewInterval how often the leader renews it (and the others try for it)
   * @param commandPollInterval how often a node reads its pending commands
   * @param lostAfter a node silent this long is lost
   * @param goneAfter a node silent this long is gone for good: its engines fail
   * @param probeInterval how often the leader probes lost nodes' engines
   * @param failureThreshold failed probes in a row before such an engine goes to ERROR
   * @param probeTimeout one probe's limit
   */
  public record Settings(
      String nodeId,
      Duration leaderLease,
      Duration renewInterval,
      Duration commandPollInterval,
      Duration lostAfter,
      Duration goneAfter,
      Duration probeInterval,
      int failureThreshold,
      Duration probeTimeout) {
    public Settings {
      Node.requireValidId(nodeId);
      if (goneAfter.compareTo(lostAfter) <= 0) {
        throw new IllegalArgumentException(
            "node.gone-after must be longer than node.lost-after, got "
                + goneAfter
                + " and "
                + lostAfter);
      }
    }
  }

  private final ControlPlane controlPlane;
  private final ClusterStore store;
  private final NodeStore nodes;
  private final Settings settings;
  private final ThreadPoolScheduler threads;
  private final HandOffScheduler scheduler;
  private final Leadership leadership;
  private final ClusterCommands commands;
  private final PendingStarts pendingStarts;
  private final LostNodes lostNodes;
  private final java.util.concurrent.ExecutorService probes;
  private final ClusterReplicas replicas;
  private volatile boolean started;

  public Cluster(
      ControlPlane controlPlane,
      ClusterStore store,
      NodeStore nodes,
      Clock clock,
      Settings settings) {
    this.controlPlane = controlPlane;
    this.store = store;
    this.nodes = nodes;
    this.settings = settings;
    this.threads = new ThreadPoolScheduler(clock);
    this.scheduler = new HandOffScheduler(threads);
    this.leadership =
        new Leadership(
            store, scheduler, settings.nodeId(), settings.leaderLease(), settings.renewInterval());
    this.commands =
        new ClusterCommands(
            store, scheduler, settings.nodeId(), settings.commandPollInterval(), this::execute);
    this.pendingStarts =
        new PendingStarts(store, nodes, scheduler, settings.lostAfter(), controlPlane::gpuDemand);
    this.probes = Executors.newCachedThreadPool(daemon("sage-cluster-probe"));
    this.lostNodes =
        new LostNodes(
            store,
            nodes,
            new ProbeClient(settings.probeTimeout(), probes),
            scheduler,
            settings.nodeId(),
            settings.lostAfter(),
            settings.goneAfter(),
            settings.failureThreshold(),
            settings.probeTimeout());
    leadership.onChange(change -> lostNodes.reset());
    this.replicas =
        new ClusterReplicas(
            controlPlane, this, store, nodes, controlPlane.scheduler(), settings.lostAfter());
  }

  /**
   * The declared models' engines across the cluster (docs/cluster.md): only the leader applies the
   * declarations once another node shares the store.
   */
  public io.sage.host.models.Replicas replicas() {
    return replicas;
  }

  /**
   * Joins the election, and starts carrying out this node's commands and the leader's work, on the
   * cluster's own threads: returns at once (the gateway's startup does not wait on the database).
   */
  public void start() {
    scheduler.execute(this::begin);
  }

  private synchronized void begin() {
    if (started) {
      return;
    }
    try {
      commands.start();
      leadership.start();
    } catch (RuntimeException e) {
      LOG.warn(
          "node {}: the cluster could not start, retrying: {}", settings.nodeId(), e.toString());
      scheduler.schedule(settings.renewInterval(), this::begin);
      return;
    }
    scheduler.repeat(settings.commandPollInterval(), () -> asLeader(pendingStarts::placeAll));
    scheduler.repeat(settings.probeInterval(), () -> asLeader(lostNodes::check));
    // read once here, on the scheduler's thread, so a request's first look at the replicas
    // (on the event loop) does not read the database
    replicas.refreshNodes();
    scheduler.repeat(settings.renewInterval(), replicas::refreshNodes);
    scheduler.repeat(ClusterCommands.PRUNE_INTERVAL, () -> asLeader(commands::prune));
    started = true;
  }

  private void asLeader(java.util.function.Consumer<LeaderLease> work) {
    Optional<LeaderLease> lease = leadership.current();
    if (lease.isEmpty()) {
      return;
    }
    try {
      work.accept(lease.get());
    } catch (StaleLeaderException e) {
      LOG.warn("{}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("node {}: the leader's work failed, retrying: {}", settings.nodeId(), e.toString());
    }
  }

  private CompletableFuture<?> execute(EngineCommand command) {
    String actor = command.actor();
    return switch (command.action()) {
      case START -> {
        controlPlane.startEngine(
            CommandArguments.start(command.arguments()), actor, command.engineId());
        yield CompletableFuture.completedFuture(null);
      }
      case STOP -> {
        CommandArguments.Stop stop = CommandArguments.stop(command.arguments());
        yield controlPlane.stopEngine(command.engineId(), stop.drain(), stop.drainTimeout(), actor);
      }
      case RESTART -> {
        controlPlane.restartEngine(command.engineId(), actor);
        yield CompletableFuture.completedFuture(null);
      }
      case REMOVE -> {
        controlPlane.removeEngine(command.engineId(), actor);
        yield CompletableFuture.completedFuture(null);
      }
    };
  }

  // what the management API asks

  public String nodeId() {
    return settings.nodeId();
  }

  /** The leader lease as the store has it (possibly expired); empty when nobody ever led. */
  public Optional<LeaderLease> leader() {
    return store.leader();
  }

  /** This node's lease while it leads. */
  public Optional<LeaderLease> leading() {
    return leadership.current();
  }

  /** The engine, with its node, when another node runs it; empty for this node's or no engine. */
  public Optional<ClusterEngine> elsewhere(String engineId) {
    if (!started || !EngineIds.isValid(engineId)) {
      return Optional.empty();
    }
    return store
        .engine(engineId)
        .filter(e -> !e.nodeId().isEmpty() && !e.nodeId().equals(nodeId()));
  }

  /** The engine as the store has it now, whichever node runs it. */
  public Optional<ClusterEngine> stored(String engineId) {
    return store.engine(engineId);
  }

  /**
   * Writes a stop of another node's engine for that node to carry out (drained first when asked).
   *
   * @throws SageException NODE_UNAVAILABLE (503) when that node is lost: nothing is written
   */
  public EngineCommand stop(
      ClusterEngine engine, boolean drain, Duration drainTimeout, String actor) {
    return submit(engine, CommandAction.STOP, CommandArguments.stop(drain, drainTimeout), actor);
  }

  /** Writes a restart of another node's engine for that node (503 when it is lost). */
  public EngineCommand restart(ClusterEngine engine, String actor) {
    return submit(engine, CommandAction.RESTART, CommandArguments.none(), actor);
  }

  /** Writes the removal of another node's engine for that node (503 when it is lost). */
  public EngineCommand remove(ClusterEngine engine, String actor) {
    return submit(engine, CommandAction.REMOVE, CommandArguments.none(), actor);
  }

  private EngineCommand submit(
      ClusterEngine engine, CommandAction action, String arguments, String actor) {
    requireUp(engine.nodeId(), "engine " + engine.id() + " runs on it");
    return commands.submit(
        EngineCommand.pending(
            engine.nodeId(),
            engine.id(),
            action,
            arguments,
            actor + " via node " + nodeId(),
            scheduler.now()));
  }

  /**
   * Decides where a start runs: empty to launch it here (named this node, or this node is the only
   * one up), else the command written for the named node or for the leader to place, carrying the
   * new engine's id. The request is validated here first (4xx, nothing written).
   *
   * @throws SageException INVALID_REQUEST for an unknown node, NODE_UNAVAILABLE for a lost one
   */
  public Optional<EngineCommand> placeStart(StartRequest request, String node, String actor) {
    controlPlane.gpuDemand(request);
    if (!started) {
      return Optional.empty();
    }
    String target = node == null ? "" : node.trim();
    if (target.equals(nodeId())) {
      return Optional.empty();
    }
    Instant now = scheduler.now();
    List<Node> all = nodes.findAll();
    if (!target.isEmpty()) {
      requireUp(target, "the start names it");
    } else if (all.stream()
        .noneMatch(
            n -> !n.id().equals(nodeId()) && n.state(now, settings.lostAfter()) == NodeState.UP)) {
      return Optional.empty();
    }
    EngineCommand command =
        commands.submit(
            EngineCommand.pending(
                target,
                EngineIds.next(),
                CommandAction.START,
                CommandArguments.start(request),
                actor + " via node " + nodeId(),
                now));
    if (target.isEmpty()) {
      asLeader(pendingStarts::placeAll);
    }
    commands.wake();
    return Optional.of(command);
  }

  /** Completes when the command's state satisfies {@code until}. */
  public CompletableFuture<EngineCommand> when(long commandId, Predicate<CommandState> until) {
    return commands.when(commandId, until);
  }

  /** Any node's engine's events as the store has them, newest first. */
  public List<io.sage.host.engine.EngineEvent> events(String engineId, int limit) {
    return store.events(engineId, limit);
  }

  /** The command as the store has it now. */
  public Optional<EngineCommand> command(long commandId) {
    return store.command(commandId);
  }

  /**
   * Throws the command's error when it failed, as the node that carried it out reported it (the
   * same code, so the same HTTP status, as the call would have had there).
   */
  public static EngineCommand requireSucceeded(EngineCommand command) {
    return ClusterCommands.requireSucceeded(command);
  }

  /** Completes when the stored engine's state satisfies {@code until} (any node's engine). */
  public CompletableFuture<ClusterEngine> whenEngine(
      String engineId, Predicate<io.sage.host.engine.EngineState> until) {
    return commands.whenStored(
        () -> store.engine(engineId).filter(e -> until.test(e.record().state())));
  }

  /** Reads this node's commands and the awaited ones now: the hook for a database notification. */
  public void wake() {
    commands.wake();
  }

  private void requireUp(String node, String why) {
    Instant now = scheduler.now();
    Optional<Node> found = nodes.findAll().stream().filter(n -> n.id().equals(node)).findFirst();
    if (found.isEmpty()) {
      throw SageException.invalid(
          "node", "no node '" + node + "' shares this database (sage nodes lists them)");
    }
    if (found.get().state(now, settings.lostAfter()) == NodeState.LOST) {
      throw new SageException(
          ErrorCode.NODE_UNAVAILABLE,
          "node "
              + node
              + " is lost (last seen "
              + Math.max(0, now.getEpochSecond() - found.get().lastSeenAt().getEpochSecond())
              + " s ago) and "
              + why
              + ": try again when it is back",
          "node");
    }
  }

  /** Gives the lease up and stops polling. */
  @Override
  public synchronized void close() {
    leadership.close();
    commands.close();
    threads.close();
    probes.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}

package io.sage.host.cluster;

import io.sage.host.Cluster;
import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.host.management.StartRequest;
import io.sage.host.models.Replicas;
import io.sage.host.store.ClusterStore;
import io.sage.host.store.NodeStore;
import io.sage.host.time.Scheduler;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The declared models' engines across the nodes of one database (docs/cluster.md): once another
 * node shares the store, only the leader applies the declarations, to every node's engines as the
 * store has them, counting the commands on their way; new replicas go where the leader's placement
 * puts them ({@link Cluster#placeStart}), stops and restarts of another node's engine go to that
 * node as commands. While this node is the only one (or on H2) it is the local control plane.
 */
public final class ClusterReplicas implements Replicas {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterReplicas.class);

  /** How long a replacement waits for another node's new engine to leave STARTING. */
  static final Duration SETTLE_LIMIT = Duration.ofMinutes(30);

  private final ControlPlane controlPlane;
  private final Cluster cluster;
  private final ClusterStore store;
  private final NodeStore nodes;
  private final Scheduler scheduler;
  private final Duration lostAfter;
  private final Replicas local;
  private volatile Boolean shared;

  public ClusterReplicas(
      ControlPlane controlPlane,
      Cluster cluster,
      ClusterStore store,
      NodeStore nodes,
      Scheduler scheduler,
      Duration lostAfter) {
    this.controlPlane = controlPlane;
    this.cluster = cluster;
    this.store = store;
    this.nodes = nodes;
    this.scheduler = scheduler;
    this.lostAfter = lostAfter;
    this.local = Replicas.local(controlPlane);
  }

  /**
   * Reads whether another node shares the store (any other node's row, whatever its state: a lost
   * node's engines are still the cluster's business). Called every renew interval by the cluster.
   */
  public void refreshNodes() {
    try {
      boolean now = nodes.findAll().stream().anyMatch(n -> !n.id().equals(cluster.nodeId()));
      Boolean before = shared;
      shared = now;
      if (now && !Boolean.TRUE.equals(before)) {
        LOG.info(
            "models: other nodes share the store; the cluster's leader applies the declarations");
      }
    } catch (RuntimeException e) {
      // the database is unreachable for a moment: keep what was known
      if (shared == null) {
        shared = false;
      }
    }
  }

  @Override
  public boolean shared() {
    if (shared == null) {
      refreshNodes();
    }
    return shared;
  }

  @Override
  public boolean leads() {
    return !shared() || cluster.leading().isPresent();
  }

  @Override
  public Optional<String> nodeId() {
    return Optional.of(cluster.nodeId());
  }

  @Override
  public List<EngineSnapshot> engines() {
    if (!shared()) {
      return local.engines();
    }
    // commands first: a start that ends meanwhile has its engine's row in the read that follows
    List<EngineCommand> open = store.openCommands();
    List<ClusterEngine> rows = store.engines();
    Set<String> up = upNodes();
    Map<String, Integer> inFlight = new HashMap<>();
    for (EngineSnapshot known : controlPlane.clusterEngines()) {
      inFlight.put(known.id(), known.inFlight());
    }
    return view(open, rows, up, inFlight, scheduler.now());
  }

  /**
   * The engines the leader counts: the stored rows with the open commands' effects (a stop makes an
   * engine DRAINING, a restart STARTING, a start not launched yet a STARTING engine), without the
   * ended engines of nodes that are not up.
   */
  static List<EngineSnapshot> view(
      List<EngineCommand> open,
      List<ClusterEngine> rows,
      Set<String> up,
      Map<String, Integer> inFlight,
      Instant now) {
    Map<String, EngineCommand> byEngine = new HashMap<>();
    for (EngineCommand command : open) {
      byEngine.put(command.engineId(), command);
    }
    List<EngineSnapshot> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ClusterEngine row : rows) {
      seen.add(row.id());
      EngineRecord record = row.record();
      EngineState state = record.state();
      boolean ended = state == EngineState.ERROR || state == EngineState.STOPPED;
      if (ended && !up.contains(row.nodeId())) {
        continue; // a lost or gone node's engine that no longer runs: nobody can restart it there
      }
      out.add(
          new EngineSnapshot(
              onItsWay(record, byEngine.get(row.id()), now),
              inFlight.getOrDefault(row.id(), 0),
              row.nodeId()));
    }
    for (EngineCommand command : open) {
      if (command.action() == CommandAction.START && !seen.contains(command.engineId())) {
        starting(command).ifPresent(out::add);
      }
    }
    return out;
  }

  /** The record as it will be once the open command on it is carried out. */
  private static EngineRecord onItsWay(EngineRecord record, EngineCommand command, Instant now) {
    if (command == null) {
      return record;
    }
    EngineState state = record.state();
    return switch (command.action()) {
      case STOP ->
          state == EngineState.READY || state == EngineState.STARTING
              ? record.withState(EngineState.DRAINING, now)
              : record;
      case RESTART, START ->
          state == EngineState.STOPPED || state == EngineState.ERROR
              ? record
                  .withState(EngineState.STARTING, now)
                  .withDesiredState(DesiredState.RUNNING, now)
              : record;
      case REMOVE -> record;
    };
  }

  /** A start written but not launched yet, as the STARTING engine it will be. */
  private static Optional<EngineSnapshot> starting(EngineCommand command) {
    try {
      StartRequest request = CommandArguments.start(command.arguments());
      EngineSpec spec =
          new EngineSpec(
              request.model(),
              request.servedModelName(),
              request.engineKind() == null
                  ? EngineKind.LLM
                  : EngineKind.parse(request.engineKind()),
              request.runtime(),
              null,
              1,
              List.of(),
              false,
              request.label(),
              List.of(),
              Map.of());
      EngineRecord record =
          EngineRecord.starting(
              command.engineId(),
              spec,
              new Placement(null, null, null, List.of(), 0),
              "",
              command.createdAt());
      return Optional.of(new EngineSnapshot(record, 0, command.nodeId()));
    } catch (RuntimeException e) {
      return Optional.empty(); // unreadable: its placing fails it
    }
  }

  private Set<String> upNodes() {
    Instant now = scheduler.now();
    Set<String> up = new HashSet<>();
    up.add(cluster.nodeId());
    for (Node node : nodes.findAll()) {
      if (node.state(now, lostAfter) == NodeState.UP) {
        up.add(node.id());
      }
    }
    return up;
  }

  @Override
  public List<EngineSnapshot> known() {
    return shared() ? controlPlane.clusterEngines() : local.known();
  }

  @Override
  public Optional<EngineSnapshot> find(String engineId) {
    if (!shared()) {
      return local.find(engineId);
    }
    return store
        .engine(engineId)
        .map(e -> new EngineSnapshot(e.record(), controlPlane.inFlight(engineId), e.nodeId()));
  }

  @Override
  public String start(StartRequest request, String actor) {
    if (!shared()) {
      return local.start(request, actor);
    }
    Optional<EngineCommand> written = cluster.placeStart(request, null, actor);
    if (written.isEmpty()) {
      return local.start(request, actor); // this node is the only one up
    }
    // placed at once by this node when it leads: a start that fits nowhere fails here
    Cluster.requireSucceeded(store.command(written.get().id()).orElse(written.get()));
    return written.get().engineId();
  }

  @Override
  public String restart(String engineId, String actor) {
    Optional<ClusterEngine> elsewhere = shared() ? cluster.elsewhere(engineId) : Optional.empty();
    if (elsewhere.isEmpty()) {
      return local.restart(engineId, actor);
    }
    cluster.restart(elsewhere.get(), actor);
    return engineId;
  }

  @Override
  public CompletableFuture<Void> stop(
      String engineId, boolean drain, Duration drainTimeout, String actor) {
    Optional<ClusterEngine> elsewhere = shared() ? cluster.elsewhere(engineId) : Optional.empty();
    if (elsewhere.isEmpty()) {
      return local.stop(engineId, drain, drainTimeout, actor);
    }
    EngineCommand command = cluster.stop(elsewhere.get(), drain, drainTimeout, actor);
    return cluster.when(command.id(), CommandState::isFinished).thenApply(c -> null);
  }

  @Override
  public CompletableFuture<EngineSnapshot> settled(String engineId) {
    if (!shared() || controlPlane.findEngine(engineId).isPresent()) {
      return local.settled(engineId);
    }
    return cluster
        .whenEngine(engineId, state -> state != EngineState.STARTING)
        .orTimeout(SETTLE_LIMIT.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(e -> new EngineSnapshot(e.record(), 0, e.nodeId()));
  }

  @Override
  public List<ModelActivity> elsewhere() {
    if (!shared()) {
      return List.of();
    }
    Instant freshSince = scheduler.now().minus(lostAfter);
    return store.activity().stream()
        .filter(a -> !a.nodeId().equals(cluster.nodeId()))
        .filter(a -> a.updatedAt().isAfter(freshSince))
        .toList();
  }

  @Override
  public void publish(List<ModelActivity> rows) {
    if (shared()) {
      store.publishActivity(cluster.nodeId(), rows);
    }
  }
}

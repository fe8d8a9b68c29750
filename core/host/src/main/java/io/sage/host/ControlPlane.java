package io.sage.host;

import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import io.sage.host.audit.AuditTrail;
import io.sage.host.cluster.ClusterView;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineListener;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.ProbeObserver;
import io.sage.host.gpu.ActiveGpuProvider;
import io.sage.host.gpu.GpuPlacer;
import io.sage.host.gpu.GpuReservations;
import io.sage.host.management.EngineManager;
import io.sage.host.management.RegisterRequest;
import io.sage.host.management.StartRequest;
import io.sage.host.plugin.PluginHost;
import io.sage.host.plugin.PluginInfo;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.routing.EngineRouter;
import io.sage.host.store.ClusterChanges;
import io.sage.host.store.EngineStore;
import io.sage.host.supervision.Supervision;
import io.sage.host.supervision.SupervisionConfig;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.job.SchedulerStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way into the control plane: start and stop, the management calls, and routing, which
 * hands out {@link EngineLease}s. Nothing outside core/host touches the registry's entries, the
 * supervision parts, the port allocator or the process launcher; the gateway imports this class and
 * value types only (an ArchUnit test in the gateway enforces it).
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

  private final ControlPlaneEnvironment environment;
  private final PluginHost plugins;
  private final EngineRegistry registry;
  private final GpuPlacer gpuPlacer;
  private final Supervision supervision;
  private final EngineManager manager;
  private final EngineRouter router;
  private final AuditTrail audit;
  private final GpuOverview gpus;
  private final EngineLogs logs;
  private volatile ClusterView cluster;

  public ControlPlane(
      ControlPlaneSettings settings, EngineStore store, ControlPlaneEnvironment environment) {
    this.environment = environment;
    this.plugins = new PluginHost(settings.pluginRoots());
    this.registry = new EngineRegistry(store, environment.scheduler().clock());
    this.logs =
        new EngineLogs(
            settings.enginesDir(), settings.engineLogMaxBytes(), settings.engineLogsKept());
    PortAllocator ports =
        new PortAllocator(
            settings.portRangeStart(),
            settings.portRangeEnd(),
            settings.gatewayPorts(),
            settings.engineHost());
    this.supervision =
        new Supervision(
            new Supervision.Parts(
                registry,
                plugins,
                environment.launcher(),
                environment.processes(),
                environment.prober(),
                ports,
                logs,
                environment.scheduler(),
                environment.jitter(),
                environment.javaExecutable()),
            settings.supervision());
    ActiveGpuProvider activeGpu =
        new ActiveGpuProvider(plugins::gpuProviders, settings.gpuProvider());
    GpuReservations reservations = new GpuReservations();
    this.gpuPlacer = new GpuPlacer(registry, activeGpu, reservations, environment.processes());
    this.audit = new AuditTrail(store, environment.scheduler().clock());
    this.manager =
        new EngineManager(
            registry,
            supervision,
            plugins,
            ports,
            gpuPlacer,
            audit,
            settings.engineHost(),
            settings.gatewayAddresses());
    this.router = new EngineRouter(registry);
    this.gpus = new GpuOverview(activeGpu, reservations, plugins);
  }

  /**
   * Starts the control plane, in this order: load the plugins; load the registry; rebuild the GPU
   * reservations from it; reconcile it with the processes that still run; start the health monitor
   * and the log rotation.
   */
  public void start() {
    plugins.start();
    plugins.errors().forEach((id, error) -> LOG.warn("plugin {} failed: {}", id, error));
    registry.load();
    gpuPlacer.restore();
    supervision.reconcile();
    supervision.startMonitoring();
  }

  /**
   * Stops the engines this gateway runs (drain included, desired states kept so they come back at
   * the next start), or with {@code keepEngines} leaves them running to be adopted. Blocks until
   * they are stopped or the drain timeout plus the grace periods have passed.
   */
  public void stop(boolean keepEngines, Duration drainTimeout) {
    CompletableFuture<Void> stopped = supervision.shutdown(keepEngines, drainTimeout);
    SupervisionConfig config = supervision.config();
    try {
      stopped.get(
          drainTimeout.toSeconds() + config.stopGracePeriod().toSeconds() + 15, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("not every engine stopped in time at shutdown", e);
    }
  }

  /**
   * Joins the other nodes sharing the database (docs/cluster.md): their engines are read now,
   * followed through {@code changes} and re-read every {@code refreshInterval}, and routed to like
   * this node's own; they are never supervised here. Call once, after {@link #start}.
   */
  public void joinCluster(String selfNodeId, ClusterChanges changes, Duration refreshInterval) {
    ClusterView view =
        new ClusterView(
            registry, registry.store(), environment.scheduler(), selfNodeId, refreshInterval);
    cluster = view;
    view.start(changes);
  }

  /** Releases threads and plugins; call after {@link #stop}. */
  @Override
  public void close() {
    ClusterView view = cluster;
    if (view != null) {
      view.close();
    }
    supervision.stopMonitoring();
    if (environment.scheduler() instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("scheduler did not close cleanly", e);
      }
    }
    plugins.close();
  }

  public SupervisionConfig supervisionConfig() {
    return supervision.config();
  }

  /** The clock and timers the control plane runs on (the declared models' timers use it too). */
  public io.sage.host.time.Scheduler scheduler() {
    return environment.scheduler();
  }

  // management

  /** Validates and launches an engine; it is STARTING when this returns. */
  public EngineSnapshot startEngine(StartRequest request, String actor) {
    return snapshot(manager.start(request, actor));
  }

  /** Launches an engine with the id the node that took the call chose (docs/cluster.md). */
  public EngineSnapshot startEngine(StartRequest request, String actor, String id) {
    return snapshot(manager.start(request, actor, id));
  }

  /** Validates a start; what it asks of a node's GPUs (empty: none), for placing it. */
  public Optional<io.sage.host.gpu.GpuRequest> gpuDemand(StartRequest request) {
    return manager.gpuDemand(request);
  }

  /** Registers an engine that runs elsewhere; STARTING until its first good probe. */
  public EngineSnapshot registerEngine(RegisterRequest request, String actor) {
    return snapshot(manager.register(request, actor));
  }

  /** Drain (when READY and asked) and stop; the future completes when the engine is STOPPED. */
  public CompletableFuture<EngineRecord> stopEngine(
      String id, boolean drain, Duration drainTimeout, String actor) {
    return manager.stop(id, drain, drainTimeout, actor);
  }

  /** Restarts an ERROR or STOPPED engine (409 otherwise). */
  public EngineRecord restartEngine(String id, String actor) {
    return manager.restart(id, actor);
  }

  /** Forgets a STOPPED or ERROR engine; its events stay. */
  public void removeEngine(String id, String actor) {
    manager.purge(id, actor);
    // a purged engine is gone for good: its logs and work dir go with it
    logs.deleteEngineDir(id);
  }

  /** The engine, or NOT_FOUND (404). */
  public EngineSnapshot engine(String id) {
    return snapshot(registry.require(id));
  }

  /** The engine, when there is one with that id. */
  public Optional<EngineSnapshot> findEngine(String id) {
    return registry.find(id).map(this::snapshot);
  }

  /** Every engine, oldest first. */
  public List<EngineSnapshot> engines() {
    return snapshots(registry.all());
  }

  /**
   * Every engine of the cluster this node knows (its own and the other nodes' as last read from the
   * database), oldest first, each with the node that runs it.
   */
  public List<EngineSnapshot> clusterEngines() {
    return snapshots(registry.cluster());
  }

  /** The engine, this node's or another node's, or NOT_FOUND (404). */
  public EngineSnapshot clusterEngine(String id) {
    return registry
        .findInCluster(id)
        .map(this::snapshot)
        .orElseGet(() -> snapshot(registry.require(id)));
  }

  /** This node's id once it joined a cluster ({@link #joinCluster}), else empty. */
  public Optional<String> selfNodeId() {
    ClusterView view = cluster;
    return view == null ? Optional.empty() : Optional.of(view.selfNodeId());
  }

  /** The engine's in-flight requests now; 0 for an engine that is gone. */
  public int inFlight(String id) {
    return registry.find(id).map(EngineEntry::inFlight).orElse(0);
  }

  public List<EngineEvent> events(String id, int limit) {
    return manager.events(id, limit);
  }

  /** Completes when the engine reaches one of the states (at once when it is in one). */
  public CompletableFuture<Void> awaitState(String id, Predicate<EngineState> target) {
    return supervision.awaitState(registry.require(id), target);
  }

  /** Option values with secrets masked, for display. */
  public Map<String, String> maskedOptions(EngineRecord record) {
    return manager.maskedOptions(record);
  }

  public List<AuditEntry> audit(AuditQuery query) {
    return audit.query(query);
  }

  /** Writes an audit row (also for actions outside engines: keys); never fails. */
  public void audit(String actor, String action, String target, String outcome, String detail) {
    audit.record(actor, action, target, outcome, detail);
  }

  // engine logs

  /** The last {@code lines} lines of the engine's log (its API key is not masked here). */
  public List<String> logTail(String id, int lines) {
    return logs.tail(id, lines);
  }

  /** The last line the engine itself wrote, or an empty string. */
  public String lastLogLine(String id) {
    return logs.lastLine(id);
  }

  /** The engine's current log file, for following it. */
  public Path logFile(String id) {
    return logs.logFile(id);
  }

  // routing

  /**
   * A lease on the best READY engine for {@code model} (fewest in-flight requests, ties rotate),
   * skipping the ids in {@code excluded}; empty when none is READY.
   */
  public Optional<EngineLease> route(String model, EngineKind kind, Collection<String> excluded) {
    return router
        .choose(model, kind, excluded)
        .map(entry -> new EngineLease(entry, this::unreachable));
  }

  /** This node's engine is probed at once; another node's row is read again. */
  private void unreachable(EngineEntry entry) {
    ClusterView view = cluster;
    if (entry.isLocal()) {
      supervision.probeSoon(entry);
    } else if (view != null) {
      view.rereadSoon(entry.id());
    }
  }

  /** Whether some engine is meant to serve the model (503 rather than 404 when none is READY). */
  public boolean isKnown(String model, EngineKind kind) {
    return router.isKnown(model, kind);
  }

  /** The kind of a model of that name, whichever kind it is. */
  public Optional<EngineKind> kindServing(String model) {
    return router.kindServing(model);
  }

  /** How many READY engines serve {@code model} now (the fair queue's capacity). */
  public int readyEngines(String model) {
    return router.readyCount(model);
  }

  // observation

  /** Told about every committed transition. */
  public void addListener(EngineListener listener) {
    registry.addListener(listener);
  }

  /** The one observer told about every completed probe (the gateway's metrics). */
  public void setProbeObserver(ProbeObserver observer) {
    supervision.setProbeObserver(observer);
  }

  // plugins and GPUs

  public List<PluginInfo> plugins() {
    return plugins.plugins();
  }

  /** Runtime kinds that are loaded ({@code mock}, {@code vllm}, ...). */
  public List<String> runtimeKinds() {
    return plugins.runtimeKinds();
  }

  public boolean hasRuntime(String kind) {
    return plugins.findRuntime(kind).isPresent();
  }

  public GpuOverview gpus() {
    return gpus;
  }

  /**
   * The schedulers behind job runtimes (Slurm), by runtime kind. Asks each one now: blocks for at
   * most its command timeout; call it off the event loop.
   */
  public Map<String, SchedulerStatus> schedulers() {
    return plugins.schedulers();
  }

  private List<EngineSnapshot> snapshots(EngineEntry[] all) {
    List<EngineSnapshot> snapshots = new ArrayList<>(all.length);
    for (EngineEntry entry : all) {
      snapshots.add(snapshot(entry));
    }
    return snapshots;
  }

  private EngineSnapshot snapshot(EngineEntry entry) {
    return new EngineSnapshot(
        entry.record(),
        entry.inFlight(),
        entry.isLocal() ? selfNodeId().orElse(null) : entry.nodeId());
  }
}

package io.sage.host.models;

import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineListener;
import io.sage.host.store.ModelStore;
import io.sage.host.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts behind {@link io.sage.host.DeclaredModels}, wired together: the reconciler, the
 * on-demand queues, idle unload and replica scaling, and the one timer that drives the last two.
 */
public final class Models implements AutoCloseable {
  /** How often idle unload, pending swaps and scaling are looked at. */
  static final Duration TICK = Duration.ofMillis(500);

  private static final Logger LOG = LoggerFactory.getLogger(Models.class);

  private final ControlPlane controlPlane;
  private final ModelStore store;
  private final Scheduler scheduler;
  private final Supplier<Declarations> declarations;
  private final ModelReconciler reconciler;
  private final OnDemand demand;
  private final IdleUnload idle;
  private final ReplicaScaler scaler;
  private final Replicas replicas;
  private final SharedModels shared;
  private final java.util.concurrent.atomic.AtomicBoolean sharedRunning =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile Scheduler.Timer tick;

  public Models(ControlPlane controlPlane, ModelStore store, Supplier<Declarations> declarations) {
    this(controlPlane, store, declarations, Replicas.local(controlPlane), () -> {});
  }

  /**
   * @param replicas where the engines run and whether this node applies the declarations
   * @param refresh re-reads the stored declarations and, while this node leads, reconciles them
   *     with the cluster's engines (called every {@link SharedModels#REFRESH} when the store is
   *     shared)
   */
  public Models(
      ControlPlane controlPlane,
      ModelStore store,
      Supplier<Declarations> declarations,
      Replicas replicas,
      Runnable refresh) {
    this.controlPlane = controlPlane;
    this.store = store;
    this.scheduler = controlPlane.scheduler();
    this.declarations = declarations;
    this.replicas = replicas;
    this.reconciler = new ModelReconciler(controlPlane, replicas);
    this.demand = new OnDemand(controlPlane, scheduler, store, reconciler, declarations);
    this.idle = new IdleUnload(demand);
    this.scaler = new ReplicaScaler(reconciler, scheduler);
    this.shared = new SharedModels(replicas, demand, idle, scaler, scheduler, refresh);
    demand.onWaiting(() -> shared.publish(declarations.get()));
  }

  public Replicas replicas() {
    return replicas;
  }

  /** The leader's periodic pass: the plan's actions but those already under way. */
  public void applyPeriodic(ModelPlan plan, Declarations next) {
    reconciler.applyPeriodic(plan, next);
  }

  public Declarations load() {
    return DeclarationRows.read(store.findAll());
  }

  public void save(Declarations declarations) {
    store.replaceAll(DeclarationRows.rows(declarations, scheduler.now()));
  }

  public EngineListener listener() {
    return demand;
  }

  public void apply(ModelPlan plan, Declarations next) {
    reconciler.apply(plan, next);
  }

  public CompletableFuture<Void> awaitReady(ModelDeclaration d) {
    return demand.awaitReady(d);
  }

  public Optional<String> rolloutError(String model) {
    return reconciler.rolloutError(model);
  }

  public void startTimers() {
    tick = scheduler.repeat(TICK, this::tick);
  }

  void tick() {
    try {
      if (replicas.shared()) {
        // it reads and writes the database: on a worker, never on the timer thread that also
        // drives the health probes, and one at a time when the database is slow
        if (sharedRunning.compareAndSet(false, true)) {
          scheduler.execute(this::sharedTick);
        }
        return;
      }
      List<EngineSnapshot> engines = controlPlane.engines();
      Declarations now = declarations.get();
      idle.check(now, engines, scheduler.now());
      demand.retryPending();
      scaler.check(now, engines, scheduler.now());
    } catch (RuntimeException e) {
      LOG.warn("models: periodic check failed", e);
    }
  }

  private void sharedTick() {
    try {
      shared.tick(declarations.get());
    } catch (RuntimeException e) {
      LOG.warn("models: periodic check failed: {}", e.toString());
    } finally {
      sharedRunning.set(false);
    }
  }

  public ModelStatus status(ModelDeclaration d, List<EngineSnapshot> engines) {
    ModelEngines.Counts counts = ModelEngines.count(d.name(), engines);
    int ready = counts.ready().size();
    int waiting = demand.waiting(d.name());
    ModelState state =
        ready > 0
            ? ModelState.RUNNING
            : !counts.live().isEmpty() || waiting > 0 ? ModelState.LOADING : ModelState.IDLE;
    return new ModelStatus(
        d,
        state,
        ready,
        counts.live().size(),
        counts.inFlight(),
        waiting,
        demand.lastUsed(d.name()).orElse(null));
  }

  @Override
  public void close() {
    Scheduler.Timer timer = tick;
    if (timer != null) {
      timer.cancel();
    }
  }
}

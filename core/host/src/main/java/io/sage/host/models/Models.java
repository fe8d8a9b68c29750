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
  private volatile Scheduler.Timer tick;

  public Models(ControlPlane controlPlane, ModelStore store, Supplier<Declarations> declarations) {
    this.controlPlane = controlPlane;
    this.store = store;
    this.scheduler = controlPlane.scheduler();
    this.declarations = declarations;
    this.reconciler = new ModelReconciler(controlPlane);
    this.demand = new OnDemand(controlPlane, scheduler, store, reconciler, declarations);
    this.idle = new IdleUnload(demand);
    this.scaler = new ReplicaScaler(reconciler, scheduler);
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
      List<EngineSnapshot> engines = controlPlane.engines();
      Declarations now = declarations.get();
      idle.check(now, engines, scheduler.now());
      demand.retryPending();
      scaler.check(now, engines, scheduler.now());
    } catch (RuntimeException e) {
      LOG.warn("models: periodic check failed", e);
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

package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.ProbeObserver;
import io.sage.host.plugin.RuntimeCatalog;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.process.ProcessLauncher;
import io.sage.host.process.ProcessTable;
import io.sage.host.time.Scheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * The supervision parts wired together, each a class named for its role: {@link EngineLauncher},
 * {@link HealthMonitor}, {@link EngineFailures}, {@link RestartScheduler}, {@link EngineStopper},
 * {@link StateWaiters}, {@link EngineLogRotation}, {@link Reconciler} and, for engines that run as
 * scheduler jobs, {@link RemoteJobSupervision}. The management layer and the control plane call
 * supervision through these methods only.
 */
public final class Supervision {
  private final SupervisedEngines engines;
  private final EngineStopper stopper;
  private final RestartScheduler restarts;
  private final HealthMonitor health;
  private final EngineFailures failures;
  private final RemoteJobSupervision jobs;
  private final EngineLauncher launcher;
  private final Reconciler reconciler;
  private final StateWaiters waiters = new StateWaiters();
  private final EngineLogRotation rotation;
  private final List<Scheduler.Timer> timers = new CopyOnWriteArrayList<>();

  /** What supervision works with: the registry, the plugins, time and the OS. */
  public record Parts(
      EngineRegistry registry,
      RuntimeCatalog plugins,
      ProcessLauncher launcher,
      ProcessTable processes,
      Prober prober,
      PortAllocator ports,
      EngineLogs logs,
      Scheduler scheduler,
      DoubleSupplier jitter,
      Path javaExecutable) {}

  public Supervision(Parts parts, SupervisionConfig config) {
    EngineRegistry registry = parts.registry();
    Scheduler scheduler = parts.scheduler();
    this.engines = new SupervisedEngines(config, parts.jitter());
    // scheduler jobs: stopped by the stopper, failed through the failures, which stop them again
    this.jobs =
        new RemoteJobSupervision(
            new RemoteJobSupervision.Parts(
                registry,
                engines,
                parts.plugins(),
                parts.logs(),
                parts.ports(),
                scheduler,
                parts.javaExecutable()),
            () -> failures(),
            () -> health());
    this.stopper =
        new EngineStopper(
            registry, engines, parts.processes(), scheduler, parts.ports(), parts.logs(), jobs);
    // the restart scheduler launches through the launcher, which reports failures back to it
    this.restarts =
        new RestartScheduler(
            registry, engines, scheduler, parts.logs(), entry -> launcher().relaunch(entry));
    this.failures =
        new EngineFailures(registry, engines, stopper, restarts, parts.logs(), scheduler);
    this.health =
        new HealthMonitor(registry, engines, scheduler, parts.prober(), parts.logs(), failures);
    this.launcher =
        new EngineLauncher(
            registry,
            engines,
            parts.plugins(),
            parts.launcher(),
            parts.ports(),
            parts.logs(),
            scheduler,
            health,
            failures,
            parts.javaExecutable(),
            jobs);
    this.reconciler =
        new Reconciler(
            registry,
            engines,
            parts.processes(),
            parts.ports(),
            parts.logs(),
            launcher,
            stopper,
            failures,
            restarts,
            new RemoteJobReconciliation(jobs, failures));
    this.rotation = new EngineLogRotation(registry, parts.logs(), scheduler);
    registry.addListener(waiters);
  }

  private EngineLauncher launcher() {
    return launcher;
  }

  private EngineFailures failures() {
    return failures;
  }

  private HealthMonitor health() {
    return health;
  }

  public SupervisionConfig config() {
    return engines.config();
  }

  /** Adopts, relaunches or settles every engine of the registry (once, at start). */
  public void reconcile() {
    reconciler.reconcile();
  }

  /** Starts the health monitor's tick and the log rotation; call after {@link #reconcile()}. */
  public void startMonitoring() {
    timers.add(health.start());
    timers.add(rotation.start());
  }

  /**
   * Stops the health monitor's tick, the log rotation and the job watches (the last step of a
   * shutdown).
   */
  public void stopMonitoring() {
    timers.forEach(Scheduler.Timer::cancel);
    timers.clear();
    jobs.stopWatching();
  }

  public void setProbeObserver(ProbeObserver observer) {
    health.setObserver(observer);
  }

  /** Launches a new STARTING engine (on a worker thread). */
  public void launch(EngineEntry entry) {
    launcher.launchAsync(entry);
  }

  /** Drain (READY) and stop; completes when STOPPED. */
  public CompletableFuture<EngineRecord> stop(
      EngineEntry entry, boolean drain, Duration drainTimeout, String actor) {
    return stopper.stop(entry, drain, drainTimeout, actor);
  }

  /** Manual restart from ERROR or STOPPED. */
  public EngineRecord restart(EngineEntry entry, String actor) {
    return restarts.restart(entry, actor);
  }

  /** Forgets what supervision kept about an engine that was removed. */
  public void forget(String engineId) {
    engines.forget(engineId);
  }

  public CompletableFuture<Void> awaitState(EngineEntry entry, Predicate<EngineState> target) {
    return waiters.await(entry, target);
  }

  /** A request to the engine failed to connect: probe it at the next tick. */
  public void probeSoon(EngineEntry entry) {
    health.probeSoon(entry);
  }

  /**
   * Gateway shutdown: from now on nothing is launched, restarted or failed. Unless {@code
   * keepEngines}, every engine this gateway runs is stopped (drain included) with its desired state
   * kept, so it comes back at the next start.
   */
  public CompletableFuture<Void> shutdown(boolean keepEngines, Duration drainTimeout) {
    engines.setClosing(true);
    return keepEngines ? CompletableFuture.completedFuture(null) : stopper.stopAll(drainTimeout);
  }
}

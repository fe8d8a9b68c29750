package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.HostOptions;
import io.sage.host.engine.Placement;
import io.sage.host.engine.ProcessIdentity;
import io.sage.host.plugin.RuntimeCatalog;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.time.Scheduler;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.LaunchCommand;
import io.sage.spi.job.JobPhase;
import io.sage.spi.job.JobStatus;
import io.sage.spi.job.RemoteJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervision of engines that run as scheduler jobs ({@link RemoteJobs}): submits the job at
 * launch, observes it every poll interval (queued → STARTING with the scheduler's reason; running →
 * base URL from the endpoint the job reported, then the health monitor's probes make it READY;
 * ended or gone → ERROR with the scheduler's state and exit code, then the restart policy), cancels
 * it on stop, and adopts it by its handle after a gateway restart. The handle is kept in the
 * record's process identity as the command line {@code job:<handle>} (no pid).
 *
 * <p>Hooks: {@link EngineLauncher#launch} calls {@link #launch}, {@link EngineStopper#terminate}
 * calls {@link #cancel}, {@link Reconciler} asks {@link RemoteJobReconciliation}; the startup clock
 * lives in {@link SupervisedEngine#jobRunningSince} for {@link HealthMonitor}. Everything that
 * talks to the scheduler runs as a task of the injected {@link Scheduler}, never on the health
 * monitor's tick.
 */
final class RemoteJobSupervision {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteJobSupervision.class);
  static final String HANDLE_PREFIX = "job:";
  static final String BIND_ALL = "0.0.0.0";

  /** What job supervision works with. */
  record Parts(
      EngineRegistry registry,
      SupervisedEngines engines,
      RuntimeCatalog plugins,
      EngineLogs logs,
      PortAllocator ports,
      Scheduler scheduler,
      Path javaExecutable) {}

  final Parts parts;
  private final EngineRegistry registry;
  private final Scheduler scheduler;
  private final EngineLogs logs;
  private final Supplier<EngineFailures> failures;
  private final Supplier<HealthMonitor> health;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();

  /** What is known of one engine's current job, in memory only. */
  private static final class Watch {
    final SupervisedEngine engine;
    final String handle;
    final RemoteJobs jobs;
    final long generation;
    final AtomicBoolean observing = new AtomicBoolean();
    volatile boolean stopping;
    volatile boolean armed;
    volatile String lastDetail = "";
    volatile Scheduler.Timer timer;

    Watch(SupervisedEngine engine, String handle, RemoteJobs jobs, long generation) {
      this.engine = engine;
      this.handle = handle;
      this.jobs = jobs;
      this.generation = generation;
    }
  }

  /**
   * @param failures and {@code health} are looked up when first needed: they are built after this
   *     (the stopper, which the failures use, cancels jobs through this class)
   */
  RemoteJobSupervision(
      Parts parts, Supplier<EngineFailures> failures, Supplier<HealthMonitor> health) {
    this.parts = parts;
    this.registry = parts.registry();
    this.scheduler = parts.scheduler();
    this.logs = parts.logs();
    this.failures = failures;
    this.health = health;
  }

  /** The scheduler interface of the engine's runtime, when it is a job runtime. */
  Optional<RemoteJobs> jobsOf(EngineRecord record) {
    if (record.isRemote()) {
      return Optional.empty();
    }
    return parts
        .plugins()
        .findRuntime(record.spec().runtime())
        .flatMap(EngineRuntimeFactory::remoteJobs);
  }

  boolean manages(EngineRecord record) {
    return jobsOf(record).isPresent();
  }

  static String handleOf(EngineRecord record) {
    String line = record.process().commandLine();
    return record.process().pid() == 0 && line != null && line.startsWith(HANDLE_PREFIX)
        ? line.substring(HANDLE_PREFIX.length())
        : null;
  }

  /**
   * Launch hook (on a worker, engine STARTING, after {@code engines.configure}): builds the inner
   * runtime's command, submits the job and starts watching it. Throws on failure; the launcher
   * moves the engine to ERROR.
   */
  void launch(SupervisedEngine engine, RemoteJobs jobs, long generation) {
    EngineEntry entry = engine.entry;
    EngineRecord record = entry.record();
    EngineSpec spec = HostOptions.forRuntime(record.spec());
    EngineSpec innerSpec = RemoteJobSpecs.innerSpec(jobs, spec);
    EngineRuntimeFactory inner =
        RemoteJobSpecs.innerFactory(parts.plugins(), jobs, spec)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "inner runtime '" + innerSpec.runtime() + "' is not loaded"));
    configure(engine, inner, null);
    Path work = logs.engineDir(record.id()).resolve("work");
    EngineRuntime innerRuntime = inner.create(context(record, innerSpec, work));
    LaunchCommand command = innerRuntime.launchCommand();
    engine.probe = innerRuntime.healthProbe();
    engine.stopGrace = innerRuntime.stopGracePeriod();
    if (record.port() != null) {
      parts.ports().release(record.id(), record.port());
    }
    String runtime = record.spec().runtime();
    registry.update(
        entry,
        r ->
            r.withPlacement(new Placement(r.host(), null, null, List.of(), 0), scheduler.now())
                .withProcess(ProcessIdentity.NONE, scheduler.now())
                .withLastError("submitting a job to " + runtime, scheduler.now()));
    String handle = jobs.submit(context(record, spec, work), command, logs.logFile(record.id()));
    registry.update(
        entry,
        r ->
            r.withProcess(ProcessIdentity.job(HANDLE_PREFIX + handle), scheduler.now())
                .withLastError(runtime + " job " + handle + " submitted", scheduler.now()));
    logs.note(
        record.id(),
        "submitted "
            + runtime
            + " job "
            + handle
            + " running the "
            + innerSpec.runtime()
            + " command "
            + command.argv().get(0));
    watch(engine, handle, jobs, generation);
  }

  private HostEngineContext context(EngineRecord record, EngineSpec spec, Path work) {
    return new HostEngineContext(
        record.id(),
        spec,
        BIND_ALL,
        RemoteJobs.PORT_PLACEHOLDER,
        List.of(),
        work,
        record.engineApiKey(),
        parts.javaExecutable(),
        scheduler.clock());
  }

  /** Supervision settings from the inner runtime; probes off until the job reports its endpoint. */
  void configure(SupervisedEngine engine, EngineRuntimeFactory inner, Instant running) {
    parts.engines().configure(engine, inner);
    engine.job = true;
    engine.jobRunningSince = running;
    engine.nextProbeAt = Instant.MAX;
  }

  void watch(SupervisedEngine engine, String handle, RemoteJobs jobs, long generation) {
    watch(new Watch(engine, handle, jobs, generation));
  }

  private void watch(Watch watch) {
    Watch old = watches.put(watch.engine.id(), watch);
    if (old != null && old.timer != null) {
      old.timer.cancel();
    }
    Duration every = Duration.ofMillis(Math.max(100, watch.jobs.pollInterval().toMillis()));
    watch.timer = scheduler.repeat(every, () -> observeSoon(watch));
    observeSoon(watch);
  }

  private void observeSoon(Watch watch) {
    if (!watch.observing.compareAndSet(false, true)) {
      return;
    }
    scheduler.execute(
        () -> {
          try {
            apply(watch, watch.jobs.observe(watch.handle, watch.engine.id()));
          } catch (RuntimeException e) {
            LOG.warn("engine {}: observing job {} failed", watch.engine.id(), watch.handle, e);
          } finally {
            watch.observing.set(false);
          }
        });
  }

  private void apply(Watch watch, JobStatus status) {
    EngineEntry entry = watch.engine.entry;
    if (watches.get(entry.id()) != watch || watch.engine.generation() != watch.generation) {
      stopWatching(watch);
      return;
    }
    EngineState current = entry.state();
    String runtime = entry.record().spec().runtime();
    String job = runtime + " job " + watch.handle;
    switch (status.phase()) {
      case QUEUED ->
          detail(
              watch,
              job
                  + " is "
                  + status.schedulerState()
                  + (status.reason().isEmpty() ? "" : " (" + status.reason() + ")"));
      case RUNNING -> running(watch, status, job);
      case ENDED, GONE -> {
        stopWatching(watch);
        if (watch.stopping || watch.engine.stopping) {
          return;
        }
        String reason =
            status.phase() == JobPhase.GONE
                ? job + " is gone: " + status.reason()
                : job
                    + " ended: "
                    + status.schedulerState()
                    + ", exit code "
                    + (status.exitCode().isEmpty() ? "unknown" : status.exitCode())
                    + (status.reason().isEmpty() ? "" : ", reason " + status.reason());
        if (current == EngineState.STARTING || current == EngineState.READY) {
          logs.note(entry.id(), reason);
          failures.get().fail(entry, current, reason);
        }
      }
      case UNREACHABLE -> {
        String d =
            runtime + " unreachable while watching job " + watch.handle + ": " + status.reason();
        if (current == EngineState.STARTING) {
          detail(watch, d);
        } else if (!d.equals(watch.lastDetail)) {
          watch.lastDetail = d;
          logs.note(entry.id(), d);
        }
      }
    }
  }

  private void running(Watch watch, JobStatus status, String job) {
    SupervisedEngine engine = watch.engine;
    if (engine.jobRunningSince == null) {
      engine.jobRunningSince = scheduler.now();
    }
    if (!status.hasEndpoint()) {
      detail(watch, job + " is RUNNING; waiting for it to report its endpoint");
      return;
    }
    String url = "http://" + status.endpointHost() + ":" + status.endpointPort();
    EngineEntry entry = engine.entry;
    if (!url.equals(entry.record().baseUrl())) {
      Instant now = scheduler.now();
      Placement where =
          new Placement(status.endpointHost(), status.endpointPort(), url, List.of(), 0);
      registry.update(
          entry,
          r ->
              r.withPlacement(where, now)
                  .withLastError(
                      r.state() == EngineState.STARTING
                          ? job + " is RUNNING on " + status.endpointHost() + "; waiting for health"
                          : r.lastError(),
                      now));
      logs.note(entry.id(), job + " runs on " + status.endpointHost() + ", listening at " + url);
      watch.armed = false;
    }
    if (!watch.armed) {
      watch.armed = true;
      health.get().watch(engine, Duration.ZERO);
    }
  }

  /** The engine's current explanation while STARTING, recorded when it changes. */
  private void detail(Watch watch, String detail) {
    if (detail.equals(watch.lastDetail)) {
      return;
    }
    watch.lastDetail = detail;
    EngineEntry entry = watch.engine.entry;
    logs.note(entry.id(), detail);
    if (entry.state() == EngineState.STARTING) {
      registry.update(entry, r -> r.withLastError(detail, scheduler.now()));
    }
  }

  private void stopWatching(Watch watch) {
    if (watch.timer != null) {
      watch.timer.cancel();
    }
    watches.remove(watch.engine.id(), watch);
  }

  /** Gateway shutdown: no more observations (the jobs themselves keep running). */
  void stopWatching() {
    watches.values().forEach(this::stopWatching);
  }

  /**
   * Stop hook: cancels the engine's job (SIGTERM, SIGKILL after the grace period) on a worker and
   * completes with how it ended, once the scheduler's cancel returned.
   */
  CompletableFuture<String> cancel(SupervisedEngine engine) {
    EngineRecord record = engine.entry.record();
    String handle = handleOf(record);
    Watch watch = watches.get(engine.id());
    if (watch != null) {
      watch.stopping = true;
      stopWatching(watch);
    }
    if (handle == null) {
      return CompletableFuture.completedFuture("no job was submitted");
    }
    RemoteJobs jobs = watch != null ? watch.jobs : jobsOf(record).orElse(null);
    if (jobs == null) {
      return CompletableFuture.completedFuture(
          "runtime " + record.spec().runtime() + " is not loaded; job " + handle + " left alone");
    }
    CompletableFuture<String> done = new CompletableFuture<>();
    Duration grace = engine.stopGrace;
    scheduler.execute(
        () -> {
          try {
            String how = jobs.cancel(handle, engine.id(), grace);
            logs.note(engine.id(), how);
            done.complete(how);
          } catch (RuntimeException e) {
            LOG.warn("engine {}: cancelling job {} failed", engine.id(), handle, e);
            done.complete("cancelling job " + handle + " failed: " + e.getMessage());
          }
        });
    return done;
  }
}

package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.HostOptions;
import io.sage.host.plugin.PluginHost;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.HealthProbe;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervision of engines that run as scheduler jobs ({@link RemoteJobs}): submits the job at
 * launch, observes it every poll interval (queued → STARTING with the scheduler's reason; running →
 * base URL from the endpoint the job reported, then the supervisor's probes make it READY; ended or
 * gone → ERROR with the scheduler's state and exit code, then the restart policy), cancels it on
 * stop, and adopts it by its handle after a gateway restart. The handle is kept in the record's
 * {@code commandLine} as {@code job:<handle>} ({@code pid} stays null).
 *
 * <p>Hooks: {@link EngineSupervisor} calls {@link #launch}, {@link #cancel} and {@link
 * #startupClock}; {@link Reconciler} calls {@link #reconcile}. Everything that talks to the
 * scheduler runs on the supervisor's worker threads, never on the supervisor's tick.
 */
final class RemoteJobSupervision implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteJobSupervision.class);
  static final String HANDLE_PREFIX = "job:";
  static final String GONE = "gateway restarted; job gone";
  static final String BIND_ALL = "0.0.0.0";

  private final EngineSupervisor supervisor;
  private final EngineRegistry registry;
  private final PluginHost plugins;
  private final EngineLogs logs;
  private final PortAllocator ports;
  private final SupervisionConfig config;
  private final Path javaExecutable;
  private final ExecutorService workers;
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sage-job-watch");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();

  /** What is known of one engine's current job, in memory only. */
  private static final class Watch {
    final String handle;
    final RemoteJobs jobs;
    final long generation;
    final AtomicBoolean observing = new AtomicBoolean();
    volatile Instant runningSince;
    volatile boolean stopping;
    volatile String lastDetail = "";
    volatile ScheduledFuture<?> task;

    Watch(String handle, RemoteJobs jobs, long generation) {
      this.handle = handle;
      this.jobs = jobs;
      this.generation = generation;
    }
  }

  RemoteJobSupervision(
      EngineSupervisor supervisor,
      EngineRegistry registry,
      PluginHost plugins,
      EngineLogs logs,
      PortAllocator ports,
      SupervisionConfig config,
      Path javaExecutable,
      ExecutorService workers) {
    this.supervisor = supervisor;
    this.registry = registry;
    this.plugins = plugins;
    this.logs = logs;
    this.ports = ports;
    this.config = config;
    this.javaExecutable = javaExecutable;
    this.workers = workers;
  }

  /** The scheduler interface of the engine's runtime, when it is a job runtime. */
  Optional<RemoteJobs> jobsOf(EngineRecord record) {
    if (record.isRemote()) {
      return Optional.empty();
    }
    return plugins.findRuntime(record.spec().runtime()).flatMap(EngineRuntimeFactory::remoteJobs);
  }

  boolean manages(EngineRecord record) {
    return jobsOf(record).isPresent();
  }

  static String handleOf(EngineRecord record) {
    String line = record.commandLine();
    return line != null && line.startsWith(HANDLE_PREFIX)
        ? line.substring(HANDLE_PREFIX.length())
        : null;
  }

  /**
   * Launch hook (on a worker thread, engine STARTING): builds the inner runtime's command, submits
   * the job and starts watching it. A failure moves the engine to ERROR.
   */
  void launch(
      EngineEntry entry, RemoteJobs jobs, SupervisedState state, long generation, String runtime) {
    EngineRecord record = entry.record();
    EngineSpec spec = HostOptions.forRuntime(record.spec());
    EngineSpec innerSpec = RemoteJobSpecs.innerSpec(jobs, spec);
    EngineRuntimeFactory inner =
        RemoteJobSpecs.innerFactory(plugins, jobs, spec)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "inner runtime '" + innerSpec.runtime() + "' is not loaded"));
    state.startupTimeout =
        HostOptions.seconds(
            record.spec(),
            "startup_timeout_s",
            config.startupTimeouts().getOrDefault(runtime, inner.startupTimeout()));
    Path work = logs.engineDir(record.id()).resolve("work");
    EngineRuntime innerRuntime =
        inner.create(
            new HostEngineContext(
                record.id(),
                innerSpec,
                BIND_ALL,
                RemoteJobs.PORT_PLACEHOLDER,
                List.of(),
                work,
                record.engineApiKey(),
                javaExecutable));
    LaunchCommand command = innerRuntime.launchCommand();
    entry.setProbe(innerRuntime.healthProbe());
    state.stopGrace = innerRuntime.stopGracePeriod();
    if (record.port() != null) {
      ports.release(record.id(), record.port());
    }
    Instant now = registry.clock().instant();
    registry.update(
        entry,
        r ->
            r.withPlacement(null, null, List.of(), 0, now)
                .withProcess(null, null, null, now)
                .withLastError("submitting a job to " + runtime, now));
    String handle =
        jobs.submit(
            new HostEngineContext(
                record.id(),
                spec,
                BIND_ALL,
                RemoteJobs.PORT_PLACEHOLDER,
                List.of(),
                work,
                record.engineApiKey(),
                javaExecutable),
            command,
            logs.logFile(record.id()));
    registry.update(
        entry,
        r ->
            r.withProcess(null, null, HANDLE_PREFIX + handle, registry.clock().instant())
                .withLastError(
                    runtime + " job " + handle + " submitted", registry.clock().instant()));
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
    watch(entry, new Watch(handle, jobs, generation));
  }

  private void watch(EngineEntry entry, Watch watch) {
    Watch old = watches.put(entry.id(), watch);
    if (old != null && old.task != null) {
      old.task.cancel(false);
    }
    long every = Math.max(100, watch.jobs.pollInterval().toMillis());
    watch.task =
        poller.scheduleWithFixedDelay(
            () -> observeSoon(entry, watch), 0, every, TimeUnit.MILLISECONDS);
  }

  private void observeSoon(EngineEntry entry, Watch watch) {
    if (!watch.observing.compareAndSet(false, true)) {
      return;
    }
    try {
      workers.execute(
          () -> {
            try {
              apply(entry, watch, watch.jobs.observe(watch.handle, entry.id()));
            } catch (RuntimeException e) {
              LOG.warn("engine {}: observing job {} failed", entry.id(), watch.handle, e);
            } finally {
              watch.observing.set(false);
            }
          });
    } catch (RuntimeException e) {
      watch.observing.set(false);
    }
  }

  private void apply(EngineEntry entry, Watch watch, JobStatus status) {
    if (watches.get(entry.id()) != watch || entry.generation() != watch.generation) {
      stopWatching(entry.id(), watch);
      return;
    }
    EngineState current = entry.state();
    String runtime = entry.record().spec().runtime();
    String job = runtime + " job " + watch.handle;
    switch (status.phase()) {
      case QUEUED ->
          detail(
              entry,
              watch,
              job
                  + " is "
                  + status.schedulerState()
                  + (status.reason().isEmpty() ? "" : " (" + status.reason() + ")"));
      case RUNNING -> running(entry, watch, status, job);
      case ENDED, GONE -> {
        stopWatching(entry.id(), watch);
        if (watch.stopping) {
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
          supervisor.fail(entry, current, reason);
        }
      }
      case UNREACHABLE -> {
        String d =
            runtime + " unreachable while watching job " + watch.handle + ": " + status.reason();
        if (current == EngineState.STARTING) {
          detail(entry, watch, d);
        } else if (!d.equals(watch.lastDetail)) {
          watch.lastDetail = d;
          logs.note(entry.id(), d);
        }
      }
    }
  }

  private void running(EngineEntry entry, Watch watch, JobStatus status, String job) {
    if (watch.runningSince == null) {
      watch.runningSince = registry.clock().instant();
    }
    if (!status.hasEndpoint()) {
      detail(entry, watch, job + " is RUNNING; waiting for it to report its endpoint");
      return;
    }
    String url = "http://" + status.endpointHost() + ":" + status.endpointPort();
    EngineRecord record = entry.record();
    if (!url.equals(record.baseUrl())) {
      Instant now = registry.clock().instant();
      registry.update(
          entry,
          r ->
              r.withPlacement(status.endpointPort(), url, List.of(), 0, now)
                  .withLastError(
                      r.state() == EngineState.STARTING
                          ? job + " is RUNNING on " + status.endpointHost() + "; waiting for health"
                          : r.lastError(),
                      now));
      logs.note(entry.id(), job + " runs on " + status.endpointHost() + ", listening at " + url);
      supervisor.probeSoon(entry);
    }
  }

  /** The engine's current explanation while STARTING, recorded when it changes. */
  private void detail(EngineEntry entry, Watch watch, String detail) {
    if (detail.equals(watch.lastDetail)) {
      return;
    }
    watch.lastDetail = detail;
    logs.note(entry.id(), detail);
    if (entry.state() == EngineState.STARTING) {
      registry.update(entry, r -> r.withLastError(detail, registry.clock().instant()));
    }
  }

  private void stopWatching(String engineId, Watch watch) {
    if (watch.task != null) {
      watch.task.cancel(false);
    }
    watches.remove(engineId, watch);
  }

  /**
   * Startup timeout hook: when the startup clock of a job engine started (the job began RUNNING),
   * or empty while it is queued (queue time does not count).
   */
  Optional<Instant> startupClock(EngineEntry entry) {
    Watch watch = watches.get(entry.id());
    return watch == null ? Optional.empty() : Optional.ofNullable(watch.runningSince);
  }

  /**
   * Stop hook (worker thread): cancels the engine's job (SIGTERM, SIGKILL after the grace period)
   * and waits until the scheduler reports it ended. Returns how it ended.
   */
  String cancel(EngineEntry entry, Duration grace) {
    EngineRecord record = entry.record();
    String handle = handleOf(record);
    Watch watch = watches.get(entry.id());
    if (watch != null) {
      watch.stopping = true;
      stopWatching(entry.id(), watch);
    }
    if (handle == null) {
      return "no job was submitted";
    }
    RemoteJobs jobs = watch != null ? watch.jobs : jobsOf(record).orElse(null);
    if (jobs == null) {
      return "runtime " + record.spec().runtime() + " is not loaded; job " + handle + " left alone";
    }
    String how = jobs.cancel(handle, entry.id(), grace);
    logs.note(entry.id(), how);
    return how;
  }

  /**
   * Reconciliation hook at gateway start: adopts the job of a job engine when the scheduler still
   * has it queued or running, resubmits when it is gone. Returns false for engines of other
   * runtimes and for ERROR/STOPPED engines (the reconciler's usual handling follows; a job left
   * behind by those is cancelled here first).
   */
  boolean reconcile(EngineEntry entry) {
    EngineRecord record = entry.record();
    Optional<RemoteJobs> remote = jobsOf(record);
    if (remote.isEmpty()) {
      return false;
    }
    RemoteJobs jobs = remote.get();
    String handle = handleOf(record);
    switch (record.state()) {
      case STARTING, READY -> {
        JobStatus status =
            handle == null ? JobStatus.gone("no job recorded") : jobs.observe(handle, entry.id());
        switch (status.phase()) {
          case QUEUED, RUNNING, UNREACHABLE -> adopt(entry, jobs, handle, status);
          case ENDED, GONE -> {
            String reason =
                GONE
                    + (handle == null ? "" : " (job " + handle + ": ")
                    + (handle == null
                        ? ""
                        : (status.schedulerState().isEmpty()
                                ? status.reason()
                                : status.schedulerState() + ", exit code " + status.exitCode())
                            + ")");
            logs.note(entry.id(), reason);
            supervisor.registryFail(entry, record.state(), reason);
          }
        }
        return true;
      }
      case DRAINING -> {
        workers.execute(
            () -> {
              String how = cancel(entry, supervisor.state(entry).stopGrace);
              registry.transitionIf(
                  entry,
                  EngineState.DRAINING,
                  EngineState.STOPPED,
                  "gateway restarted while draining; " + how,
                  r -> r);
            });
        return true;
      }
      case ERROR, STOPPED -> {
        if (handle != null) {
          workers.execute(() -> cancel(entry, supervisor.state(entry).stopGrace));
        }
        return false;
      }
    }
    return false;
  }

  private void adopt(EngineEntry entry, RemoteJobs jobs, String handle, JobStatus status) {
    EngineRecord record = entry.record();
    long generation = entry.nextGeneration();
    SupervisedState state = supervisor.state(entry);
    entry.setProbe(HealthProbe.standard(record.spec().kind()));
    state.startupTimeout =
        HostOptions.seconds(
            record.spec(),
            "startup_timeout_s",
            config
                .startupTimeouts()
                .getOrDefault(
                    record.spec().runtime(),
                    RemoteJobSpecs.innerFactory(
                            plugins, jobs, HostOptions.forRuntime(record.spec()))
                        .map(EngineRuntimeFactory::startupTimeout)
                        .orElse(Duration.ofSeconds(900))));
    state.nextProbeAtMillis = 0;
    Watch watch = new Watch(handle, jobs, generation);
    if (status.phase() == JobPhase.RUNNING) {
      watch.runningSince = registry.clock().instant();
    }
    String how =
        "gateway restarted; adopted "
            + record.spec().runtime()
            + " job "
            + handle
            + " ("
            + (status.phase() == JobPhase.UNREACHABLE
                ? "scheduler unreachable"
                : status.schedulerState())
            + ")";
    logs.note(entry.id(), how);
    LOG.info("engine {}: {}", entry.id(), how);
    watch(entry, watch);
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}

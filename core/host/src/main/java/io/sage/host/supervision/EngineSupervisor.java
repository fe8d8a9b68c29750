package io.sage.host.supervision;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.HostOptions;
import io.sage.host.plugin.PluginHost;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.process.ManagedProcess;
import io.sage.host.process.ProcessGroups;
import io.sage.host.process.ProcessLauncher;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.HealthProbe;
import io.sage.spi.engine.LaunchCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control loop: launches engines, watches their processes and health, restarts them with
 * backoff, drains and stops them, and reconciles the registry with reality after a gateway restart.
 * Every state change goes through the {@link EngineRegistry}.
 */
public final class EngineSupervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EngineSupervisor.class);
  private static final long TICK_MILLIS = 100;

  private final EngineRegistry registry;
  private final PluginHost plugins;
  private final ProcessLauncher launcher;
  private final EngineLogs logs;
  private final PortAllocator ports;
  private final SupervisionConfig config;
  private final Path javaExecutable;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final ProbeClient probes;
  private final RemoteJobSupervision remoteJobs;
  private final Map<String, SupervisedState> supervised = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> waiters = new ConcurrentHashMap<>();
  private volatile boolean closing;
  private volatile ProbeObserver probeObserver = ProbeObserver.NONE;

  public EngineSupervisor(
      EngineRegistry registry,
      PluginHost plugins,
      ProcessLauncher launcher,
      EngineLogs logs,
      PortAllocator ports,
      SupervisionConfig config,
      Path javaExecutable) {
    this.registry = registry;
    this.plugins = plugins;
    this.launcher = launcher;
    this.logs = logs;
    this.ports = ports;
    this.config = config;
    this.javaExecutable = javaExecutable;
    this.scheduler = Executors.newScheduledThreadPool(1, daemon("sage-supervisor"));
    this.workers = Executors.newCachedThreadPool(daemon("sage-engine-worker"));
    this.probes = new ProbeClient(config.probeTimeout(), workers);
    this.remoteJobs =
        new RemoteJobSupervision(
            this, registry, plugins, logs, ports, config, javaExecutable, workers);
    registry.addListener(
        (entry, event) -> {
          CompletableFuture<Void> waiter = waiters.remove(entry.id() + ":" + event.to());
          if (waiter != null) {
            waiter.complete(null);
          }
        });
  }

  public SupervisionConfig config() {
    return config;
  }

  /** Sets the one observer told about every completed probe (the gateway's metrics). */
  public void setProbeObserver(ProbeObserver observer) {
    this.probeObserver = observer == null ? ProbeObserver.NONE : observer;
  }

  /** Starts the probe loop; call after {@link Reconciler#reconcile()}. */
  public void start() {
    scheduler.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  SupervisedState state(EngineEntry entry) {
    return supervised.computeIfAbsent(entry.id(), id -> new SupervisedState(config));
  }

  /**
   * Launches the process of an engine that is STARTING. Runs on a worker thread; a failure moves
   * the engine to ERROR with the reason.
   */
  public void launchAsync(EngineEntry entry) {
    workers.execute(() -> launch(entry));
  }

  void launch(EngineEntry entry) {
    EngineRecord record = entry.record();
    SupervisedState state = state(entry);
    state.stopping = false;
    applyHealthOptions(record, state);
    long generation = entry.nextGeneration();
    if (record.isRemote()) {
      entry.setProbe(HealthProbe.standard(record.spec().kind()));
      state.startupTimeout =
          HostOptions.seconds(
              record.spec(),
              "startup_timeout_s",
              config.startupTimeouts().getOrDefault("remote", Duration.ofSeconds(60)));
      state.nextProbeAtMillis = 0;
      return;
    }
    try {
      EngineRuntimeFactory factory = plugins.runtime(record.spec().runtime());
      if (factory.remoteJobs().isPresent()) {
        remoteJobs.launch(
            entry, factory.remoteJobs().get(), state, generation, record.spec().runtime());
        return;
      }
      state.startupTimeout =
          HostOptions.seconds(
              record.spec(),
              "startup_timeout_s",
              config
                  .startupTimeouts()
                  .getOrDefault(record.spec().runtime(), factory.startupTimeout()));
      HostEngineContext context =
          new HostEngineContext(
              record.id(),
              HostOptions.forRuntime(record.spec()),
              record.host(),
              record.port(),
              record.gpuIds(),
              logs.engineDir(record.id()).resolve("work"),
              record.engineApiKey(),
              javaExecutable);
      EngineRuntime runtime = factory.create(context);
      LaunchCommand command = runtime.launchCommand();
      entry.setProbe(runtime.healthProbe());
      state.stopGrace = runtime.stopGracePeriod();
      logs.note(
          record.id(),
          "launching "
              + record.spec().runtime()
              + " engine for "
              + record.spec().model()
              + " on port "
              + record.port()
              + ": "
              + command.argv().get(0));
      ManagedProcess process = launcher.launch(record.id(), command, logs.logFile(record.id()));
      entry.setProcess(process);
      registry.update(
          entry,
          r ->
              r.withProcess(
                  process.pid(),
                  process.startTime(),
                  process.commandLine(),
                  registry.clock().instant()));
      state.nextProbeAtMillis = System.currentTimeMillis() + 200;
      watchExit(entry, process, generation);
    } catch (SageException | IllegalArgumentException | IllegalStateException e) {
      fail(entry, EngineState.STARTING, "launch failed: " + e.getMessage());
    } catch (RuntimeException | LinkageError e) {
      LOG.error("engine {}: runtime {} failed to launch", record.id(), record.spec().runtime(), e);
      fail(
          entry,
          EngineState.STARTING,
          "launch failed: runtime " + record.spec().runtime() + " threw " + e);
    }
  }

  /** Per-engine overrides of the health settings (host options). */
  private void applyHealthOptions(EngineRecord record, SupervisedState state) {
    state.healthInterval =
        HostOptions.seconds(record.spec(), "health_interval_s", config.healthInterval());
    String threshold = record.spec().options().get("health_failure_threshold");
    state.failureThreshold =
        threshold == null ? config.failureThreshold() : (int) Double.parseDouble(threshold);
  }

  void watchExit(EngineEntry entry, ManagedProcess process, long generation) {
    process
        .exit()
        .thenAcceptAsync(code -> onProcessExit(entry, process, generation, code), workers);
  }

  private void onProcessExit(
      EngineEntry entry, ManagedProcess process, long generation, OptionalInt code) {
    SupervisedState state = state(entry);
    if (closing || entry.generation() != generation || state.stopping) {
      return;
    }
    String exit =
        code.isPresent() ? "process exited with code " + code.getAsInt() : "process exited";
    String last = lastLogLine(entry);
    String reason = last.isEmpty() ? exit : exit + ": " + last;
    EngineState current = entry.state();
    if (current == EngineState.STARTING || current == EngineState.READY) {
      fail(entry, current, reason);
    }
  }

  /**
   * The engine's last log line for failure reasons, without its API key (vLLM logs its own args).
   */
  private String lastLogLine(EngineEntry entry) {
    String line = logs.lastLine(entry.id());
    String key = entry.record().engineApiKey();
    return key == null || key.isEmpty() ? line : line.replace(key, "****");
  }

  /**
   * Moves an engine to ERROR (if it is still in {@code from}), kills what is left of it, and
   * applies the restart policy.
   */
  void fail(EngineEntry entry, EngineState from, String reason) {
    boolean moved;
    try {
      moved = markError(entry, from, reason);
    } catch (RuntimeException e) {
      LOG.error("engine {}: could not record ERROR: {}", entry.id(), reason, e);
      return;
    }
    if (!moved) {
      return;
    }
    workers.execute(
        () -> {
          terminate(entry);
          scheduleRestart(entry, reason);
        });
  }

  private void scheduleRestart(EngineEntry entry, String reason) {
    EngineRecord record = entry.record();
    if (closing
        || record.desiredState() != DesiredState.RUNNING
        || entry.state() != EngineState.ERROR) {
      return;
    }
    if ("never".equals(record.spec().option("restart_policy", "always"))) {
      logs.note(entry.id(), "not restarting: restart_policy is never");
      return;
    }
    SupervisedState state = state(entry);
    var delay = state.restarts.next(registry.clock().instant());
    if (delay.isEmpty()) {
      String gaveUp =
          "gave up restarting: "
              + config.maxRestarts()
              + " restarts within "
              + config.restartWindow().toMinutes()
              + " min; last failure: "
              + reason;
      registry.update(entry, r -> r.withLastError(gaveUp, registry.clock().instant()));
      logs.note(entry.id(), gaveUp);
      LOG.warn("engine {}: {}", entry.id(), gaveUp);
      return;
    }
    int attempt = state.restarts.recentRestarts();
    String restartReason =
        "automatic restart "
            + attempt
            + "/"
            + config.maxRestarts()
            + " after "
            + delay.get().toMillis()
            + " ms; previous failure: "
            + reason;
    scheduler.schedule(
        () -> workers.execute(() -> relaunch(entry, EngineState.ERROR, restartReason)),
        delay.get().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** ERROR/STOPPED → STARTING, counting a restart; the launch follows on a worker thread. */
  boolean relaunch(EngineEntry entry, EngineState from, String reason) {
    if (closing) {
      return false;
    }
    boolean moved =
        registry.transitionIf(
            entry,
            from,
            EngineState.STARTING,
            reason,
            r ->
                r.withRestartCount(r.restartCount() + 1, registry.clock().instant())
                    .withHealth(r.lastHeartbeatAt(), 0, registry.clock().instant())
                    .withDesiredState(DesiredState.RUNNING, registry.clock().instant()));
    if (moved) {
      workers.execute(
          () -> {
            reacquirePort(entry);
            launch(entry);
          });
    }
    return moved;
  }

  private void reacquirePort(EngineEntry entry) {
    EngineRecord record = entry.record();
    if (record.isRemote() || record.port() == null) {
      return;
    }
    int port = ports.reacquire(record.id(), record.port());
    if (port != record.port()) {
      logs.note(record.id(), "port " + record.port() + " is taken; moved to port " + port);
      registry.update(
          entry,
          r ->
              r.withPlacement(
                  port,
                  "http://" + r.host() + ":" + port,
                  r.gpuIds(),
                  r.gpuMemoryMib(),
                  registry.clock().instant()));
    }
  }

  /**
   * {@code from} → ERROR with the reason as {@code last_error}, unless the state moved meanwhile.
   */
  private boolean markError(EngineEntry entry, EngineState from, String reason) {
    return registry.transitionIf(
        entry,
        from,
        EngineState.ERROR,
        reason,
        r -> r.withLastError(reason, registry.clock().instant()));
  }

  /** Reconciliation: a recorded process is gone; ERROR now, then a relaunch when it should run. */
  void registryFail(EngineEntry entry, EngineState from, String reason) {
    boolean moved = markError(entry, from, reason);
    if (moved && entry.record().desiredState() == DesiredState.RUNNING) {
      relaunch(entry, EngineState.ERROR, reason);
    }
  }

  /** Reconciliation: an engine left in ERROR gets the restart policy again. */
  void scheduleRestartAfterRecovery(EngineEntry entry, String reason) {
    scheduleRestart(entry, reason);
  }

  /** Reconciliation: watch an adopted process like a launched one. */
  void adopted(EngineEntry entry, ManagedProcess process) {
    SupervisedState state = state(entry);
    applyHealthOptions(entry.record(), state);
    long generation = entry.nextGeneration();
    plugins
        .findRuntime(entry.record().spec().runtime())
        .ifPresent(
            factory -> {
              state.startupTimeout =
                  HostOptions.seconds(
                      entry.record().spec(),
                      "startup_timeout_s",
                      config
                          .startupTimeouts()
                          .getOrDefault(entry.record().spec().runtime(), factory.startupTimeout()));
              entry.setProbe(HealthProbe.standard(entry.record().spec().kind()));
            });
    state.nextProbeAtMillis = 0;
    watchExit(entry, process, generation);
  }

  void adoptedRemote(EngineEntry entry) {
    entry.nextGeneration();
    entry.setProbe(HealthProbe.standard(entry.record().spec().kind()));
    state(entry).nextProbeAtMillis = 0;
  }

  void resumeDrain(EngineEntry entry, Duration timeout) {
    workers.execute(() -> drainAndStop(entry, timeout));
  }

  void terminateOrphan(EngineEntry entry) {
    workers.execute(() -> terminate(entry));
  }

  /** Manual restart from ERROR or STOPPED (409 otherwise). */
  public EngineRecord restart(EngineEntry entry, String actor) {
    EngineState current = entry.state();
    if (current != EngineState.ERROR && current != EngineState.STOPPED) {
      throw new SageException(
          ErrorCode.ILLEGAL_STATE,
          "cannot restart engine "
              + entry.id()
              + ": it is "
              + current
              + " (restart works from ERROR or STOPPED)",
          "state");
    }
    state(entry).restarts.reset();
    if (!relaunch(entry, current, "manual restart by " + actor)) {
      throw new SageException(
          ErrorCode.ILLEGAL_STATE,
          "cannot restart engine " + entry.id() + ": it is " + entry.state(),
          "state");
    }
    return entry.record();
  }

  /**
   * Stops an engine: READY → DRAINING (the router stops at once) → wait for in-flight requests or
   * the drain timeout → SIGTERM the process group → SIGKILL after the grace period → STOPPED once
   * no process of the group is left. STARTING and ERROR engines stop without draining.
   *
   * @return completes when the engine is STOPPED
   */
  public CompletableFuture<EngineRecord> stop(
      EngineEntry entry, boolean drain, Duration drainTimeout, String actor) {
    SupervisedState state = state(entry);
    Instant now = registry.clock().instant();
    synchronized (entry) {
      EngineState current = entry.state();
      switch (current) {
        case READY -> {
          String reason =
              drain
                  ? "stop requested by "
                      + actor
                      + ": draining "
                      + entry.inFlight()
                      + " in-flight request(s), timeout "
                      + drainTimeout.toSeconds()
                      + " s"
                  : "stop requested by " + actor + " without drain";
          registry.transition(
              entry,
              EngineState.DRAINING,
              reason,
              r -> r.withDesiredState(DesiredState.STOPPED, now));
          Duration wait = drain ? drainTimeout : Duration.ZERO;
          return CompletableFuture.supplyAsync(() -> drainAndStop(entry, wait), workers);
        }
        case STARTING, ERROR -> {
          state.stopping = true;
          registry.update(entry, r -> r.withDesiredState(DesiredState.STOPPED, now));
          return CompletableFuture.supplyAsync(
              () -> {
                terminate(entry);
                registry.transitionIf(
                    entry,
                    current,
                    EngineState.STOPPED,
                    "stopped by " + actor + " while " + current,
                    r -> r);
                releasePort(entry);
                return entry.record();
              },
              workers);
        }
        case DRAINING ->
            throw new SageException(
                ErrorCode.ILLEGAL_STATE, "engine " + entry.id() + " is already DRAINING", "state");
        case STOPPED ->
            throw new SageException(
                ErrorCode.ILLEGAL_STATE,
                "cannot stop engine " + entry.id() + ": it is already STOPPED",
                "state");
        default -> throw new IllegalStateException("unhandled state " + current);
      }
    }
  }

  EngineRecord drainAndStop(EngineEntry entry, Duration drainTimeout) {
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    while (entry.inFlight() > 0 && System.nanoTime() < deadline) {
      sleep(20);
    }
    int left = entry.inFlight();
    state(entry).stopping = true;
    String stopped = terminate(entry);
    String reason =
        left > 0
            ? "drain timeout after "
                + drainTimeout.toSeconds()
                + " s with "
                + left
                + " request(s) in flight; "
                + stopped
            : "drained; " + stopped;
    registry.transitionIf(entry, EngineState.DRAINING, EngineState.STOPPED, reason, r -> r);
    releasePort(entry);
    return entry.record();
  }

  /**
   * SIGTERM to the engine's process group, SIGKILL after the grace period, until no member is left.
   * Returns a sentence saying how it ended.
   */
  String terminate(EngineEntry entry) {
    EngineRecord record = entry.record();
    if (record.isRemote()) {
      return "remote engine, nothing to stop";
    }
    if (remoteJobs.manages(record)) {
      state(entry).stopping = true;
      return remoteJobs.cancel(entry, state(entry).stopGrace);
    }
    ManagedProcess process = entry.process();
    long pgid = process != null ? process.pid() : record.pid() == null ? -1 : record.pid();
    if (pgid <= 1
        || (ProcessGroups.members(pgid).isEmpty() && (process == null || !process.isAlive()))) {
      return "process group already gone";
    }
    state(entry).stopping = true;
    Duration grace = state(entry).stopGrace;
    ProcessGroups.signal(pgid, "TERM");
    if (waitGone(pgid, process, grace)) {
      logs.note(entry.id(), "process group " + pgid + " stopped after SIGTERM");
      return "process group stopped after SIGTERM";
    }
    ProcessGroups.signal(pgid, "KILL");
    if (waitGone(pgid, process, Duration.ofSeconds(10))) {
      logs.note(
          entry.id(),
          "process group " + pgid + " killed after the " + grace.toSeconds() + " s grace period");
      return "process group killed (SIGKILL) after " + grace.toSeconds() + " s grace period";
    }
    LOG.error(
        "engine {}: process group {} survived SIGKILL: {}",
        entry.id(),
        pgid,
        ProcessGroups.members(pgid));
    return "process group " + pgid + " did not exit after SIGKILL";
  }

  private boolean waitGone(long pgid, ManagedProcess process, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      boolean leaderGone = process == null || !process.isAlive();
      if (leaderGone && ProcessGroups.members(pgid).isEmpty()) {
        return true;
      }
      sleep(25);
    } while (System.nanoTime() < deadline);
    return false;
  }

  private void releasePort(EngineEntry entry) {
    Integer port = entry.record().port();
    if (port != null && !entry.record().isRemote()) {
      ports.release(entry.id(), port);
    }
  }

  /** Completes when the engine reaches one of the states (or is already in one). */
  public CompletableFuture<Void> awaitState(EngineEntry entry, Predicate<EngineState> target) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    for (EngineState s : EngineState.values()) {
      if (target.test(s)) {
        waiters.compute(
            entry.id() + ":" + s,
            (k, existing) -> {
              CompletableFuture<Void> f = existing == null ? new CompletableFuture<>() : existing;
              f.thenRun(() -> done.complete(null));
              return f;
            });
      }
    }
    if (target.test(entry.state())) {
      done.complete(null);
    }
    return done;
  }

  /** Makes the next tick probe this engine at once (a passive failure seen by the proxy). */
  public void probeSoon(EngineEntry entry) {
    state(entry).nextProbeAtMillis = 0;
  }

  private void tick() {
    long now = System.currentTimeMillis();
    for (EngineEntry entry : registry.all()) {
      try {
        EngineState current = entry.state();
        if (current != EngineState.STARTING && current != EngineState.READY) {
          continue;
        }
        SupervisedState state = state(entry);
        if (current == EngineState.STARTING && startupTimedOut(entry, state)) {
          continue;
        }
        if (now >= state.nextProbeAtMillis && state.probing.compareAndSet(false, true)) {
          long interval =
              current == EngineState.STARTING
                  ? config.startingProbeInterval().toMillis()
                  : state.healthInterval.toMillis();
          state.nextProbeAtMillis = now + interval;
          probe(entry, state, entry.generation());
        }
      } catch (RuntimeException e) {
        LOG.warn("engine {}: supervision tick failed", entry.id(), e);
      }
    }
  }

  private boolean startupTimedOut(EngineEntry entry, SupervisedState state) {
    Instant since =
        remoteJobs.manages(entry.record())
            ? remoteJobs.startupClock(entry).orElse(null)
            : entry.record().stateSince();
    if (since == null) {
      return false; // a queued job: queue time does not count
    }
    Duration elapsed = Duration.between(since, registry.clock().instant());
    if (elapsed.compareTo(state.startupTimeout) <= 0) {
      return false;
    }
    String last = lastLogLine(entry);
    fail(
        entry,
        EngineState.STARTING,
        "startup timeout: not ready after "
            + state.startupTimeout.toSeconds()
            + " s"
            + (last.isEmpty() ? "" : "; last log line: " + last));
    return true;
  }

  private void probe(EngineEntry entry, SupervisedState state, long generation) {
    EngineRecord record = entry.record();
    if (record.baseUrl() == null) {
      state.probing.set(false);
      return;
    }
    long started = System.nanoTime();
    probes
        .probe(
            record.baseUrl(), entry.probe(), record.spec().servedModelName(), record.engineApiKey())
        .whenComplete(
            (result, error) -> {
              state.probing.set(false);
              observeProbe(entry, error == null && result.ok(), System.nanoTime() - started);
              if (error == null && entry.generation() == generation) {
                onProbe(entry, result);
              }
            });
  }

  private void observeProbe(EngineEntry entry, boolean ok, long nanos) {
    try {
      probeObserver.onProbe(entry, ok, nanos);
    } catch (RuntimeException e) {
      LOG.warn("engine {}: probe observer failed", entry.id(), e);
    }
  }

  private void onProbe(EngineEntry entry, ProbeClient.Result result) {
    Instant now = registry.clock().instant();
    EngineRecord record = entry.record();
    switch (record.state()) {
      case STARTING -> {
        if (result.ok()) {
          long seconds = Duration.between(record.stateSince(), now).toMillis();
          registry.transitionIf(
              entry,
              EngineState.STARTING,
              EngineState.READY,
              "ready: health check passed after " + seconds + " ms",
              r -> r.withHealth(now, 0, now).withLastError(null, now));
        }
      }
      case READY -> {
        if (result.ok()) {
          if (record.consecutiveFailures() != 0
              || record.lastHeartbeatAt() == null
              || Duration.between(record.lastHeartbeatAt(), now)
                      .compareTo(state(entry).healthInterval)
                  >= 0) {
            registry.update(entry, r -> r.withHealth(now, 0, now));
          }
          return;
        }
        int failures = record.consecutiveFailures() + 1;
        int threshold = state(entry).failureThreshold;
        if (failures >= threshold) {
          registry.update(entry, r -> r.withHealth(r.lastHeartbeatAt(), failures, now));
          fail(entry, EngineState.READY, failures + " health checks failed: " + result.detail());
        } else {
          registry.update(entry, r -> r.withHealth(r.lastHeartbeatAt(), failures, now));
          logs.note(
              entry.id(),
              "health check failed (" + failures + "/" + threshold + "): " + result.detail());
        }
      }
      default -> {
        // DRAINING, STOPPED, ERROR: probes of these states are not acted on
      }
    }
  }

  /** Rotates engine logs; called periodically by the gateway. */
  public void rotateLogs() {
    for (EngineEntry entry : registry.all()) {
      logs.rotateIfNeeded(entry.id());
    }
  }

  /**
   * Stops every running engine the same way as {@link #stop} (drain included), or, with {@code
   * keepEngines}, leaves them running to be adopted at the next start. Desired states are kept, so
   * engines that were running come back at the next start.
   */
  public void shutdown(boolean keepEngines, Duration drainTimeout) {
    closing = !keepEngines;
    if (keepEngines) {
      closing = true;
      return;
    }
    var pending = new java.util.ArrayList<CompletableFuture<?>>();
    for (EngineEntry entry : registry.all()) {
      EngineState current = entry.state();
      if (!current.isActive() || entry.record().isRemote()) {
        continue;
      }
      DesiredState desired = entry.record().desiredState();
      try {
        CompletableFuture<EngineRecord> stopping = stopForShutdown(entry, drainTimeout);
        pending.add(
            stopping.thenRun(
                () ->
                    registry.update(
                        entry, r -> r.withDesiredState(desired, registry.clock().instant()))));
      } catch (SageException e) {
        LOG.warn("engine {}: not stopped at shutdown: {}", entry.id(), e.getMessage());
      }
    }
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(
              drainTimeout.toSeconds() + config.stopGracePeriod().toSeconds() + 15,
              TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("not every engine stopped in time at shutdown", e);
    }
  }

  private CompletableFuture<EngineRecord> stopForShutdown(
      EngineEntry entry, Duration drainTimeout) {
    if (entry.state() == EngineState.DRAINING) {
      return CompletableFuture.supplyAsync(() -> drainAndStop(entry, drainTimeout), workers);
    }
    boolean wasClosing = closing;
    closing = false;
    try {
      return stop(entry, true, drainTimeout, "gateway shutdown");
    } finally {
      closing = wasClosing;
    }
  }

  ExecutorService workers() {
    return workers;
  }

  /** Supervision of engines that run as scheduler jobs (for the reconciler). */
  RemoteJobSupervision remoteJobs() {
    return remoteJobs;
  }

  @Override
  public void close() {
    closing = true;
    remoteJobs.close();
    scheduler.shutdownNow();
    workers.shutdownNow();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}

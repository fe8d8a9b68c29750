package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.HostOptions;
import io.sage.host.engine.ProcessIdentity;
import io.sage.host.plugin.RuntimeCatalog;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.process.ManagedProcess;
import io.sage.host.process.ProcessLauncher;
import io.sage.host.time.Scheduler;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.HealthProbe;
import io.sage.spi.engine.LaunchCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches engines that are STARTING: asks the runtime plugin for its command, starts the process,
 * records its identity, and watches its exit; and takes over processes that reconciliation adopted.
 * A launch failure or an unexpected exit is handed to {@link EngineFailures}. Engines of a job
 * runtime are submitted to their scheduler instead ({@link RemoteJobSupervision}).
 */
public final class EngineLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(EngineLauncher.class);

  /** A fresh process gets a moment to bind its port before the first probe. */
  static final Duration FIRST_PROBE_DELAY = Duration.ofMillis(200);

  private final EngineRegistry registry;
  private final SupervisedEngines engines;
  private final RuntimeCatalog plugins;
  private final ProcessLauncher processes;
  private final PortAllocator ports;
  private final EngineLogs logs;
  private final Scheduler scheduler;
  private final HealthMonitor health;
  private final EngineFailures failures;
  private final Path javaExecutable;
  private final RemoteJobSupervision jobs;

  EngineLauncher(
      EngineRegistry registry,
      SupervisedEngines engines,
      RuntimeCatalog plugins,
      ProcessLauncher processes,
      PortAllocator ports,
      EngineLogs logs,
      Scheduler scheduler,
      HealthMonitor health,
      EngineFailures failures,
      Path javaExecutable,
      RemoteJobSupervision jobs) {
    this.registry = registry;
    this.engines = engines;
    this.plugins = plugins;
    this.processes = processes;
    this.ports = ports;
    this.logs = logs;
    this.scheduler = scheduler;
    this.health = health;
    this.failures = failures;
    this.javaExecutable = javaExecutable;
    this.jobs = jobs;
  }

  /** Launches a STARTING engine on a worker thread. */
  void launchAsync(EngineEntry entry) {
    scheduler.execute(() -> launch(entry));
  }

  /** Launches an engine that went STARTING again: its old port first, if still free. */
  void relaunch(EngineEntry entry) {
    reacquirePort(entry);
    launch(entry);
  }

  void launch(EngineEntry entry) {
    EngineRecord record = entry.record();
    SupervisedEngine engine = engines.of(entry);
    if (record.isRemote()) {
      engine.stopping = false;
      engine.nextGeneration();
      engines.configure(engine, null);
      engine.probe = HealthProbe.standard(record.spec().kind());
      health.watch(engine, Duration.ZERO);
      return;
    }
    try {
      EngineRuntimeFactory factory = plugins.runtime(record.spec().runtime());
      engines.configure(engine, factory);
      if (factory.remoteJobs().isPresent()) {
        long generation;
        synchronized (entry) {
          // a stop that came first wins here too: nothing is submitted
          if (entry.state() != EngineState.STARTING || !entry.record().desiredState().isRunning()) {
            return;
          }
          if (engines.closing()) {
            // a job submitted now would run on with nobody watching it: as for a process below
            notLaunchedAtShutdown(entry);
            return;
          }
          engine.stopping = false;
          generation = engine.nextGeneration();
        }
        jobs.launch(engine, factory.remoteJobs().get(), generation);
        return;
      }
      EngineRuntime runtime = factory.create(context(record));
      LaunchCommand command = runtime.launchCommand();
      engine.probe = runtime.healthProbe();
      engine.stopGrace = runtime.stopGracePeriod();
      Started started = start(entry, engine, command);
      if (started == null) {
        if (!engines.closing()) {
          logs.note(
              record.id(), "not launched: the engine is " + entry.state() + ", stop requested");
        }
        return;
      }
      health.watch(engine, FIRST_PROBE_DELAY);
      watchExit(engine, started.process(), started.generation());
    } catch (SageException | IllegalArgumentException | IllegalStateException e) {
      failures.fail(entry, EngineState.STARTING, "launch failed: " + e.getMessage());
    } catch (RuntimeException | LinkageError e) {
      LOG.error("engine {}: runtime {} failed to launch", record.id(), record.spec().runtime(), e);
      failures.fail(
          entry,
          EngineState.STARTING,
          "launch failed: runtime " + record.spec().runtime() + " threw " + e);
    }
  }

  private record Started(ManagedProcess process, long generation) {}

  /**
   * Writes the launch intent ahead of the launch, starts the process and records its identity, all
   * under the entry's lock: a stop either comes first (nothing is started) or finds the process
   * recorded (and stops it). A crash between the intent and the pid leaves a process that the next
   * start finds by its engine id. Null when the engine should no longer be launched, or when the
   * gateway is shutting down: the shutdown's stop of every engine has passed or is waiting for this
   * lock, so a process started now would outlive the gateway. Such an engine is STOPPED with its
   * desired state kept, as the shutdown leaves the others, and is launched at the next start.
   */
  private Started start(EngineEntry entry, SupervisedEngine engine, LaunchCommand command) {
    synchronized (entry) {
      EngineRecord record = entry.record();
      if (record.state() != EngineState.STARTING || !record.desiredState().isRunning()) {
        return null;
      }
      if (engines.closing()) {
        notLaunchedAtShutdown(entry);
        return null;
      }
      engine.stopping = false;
      entry.setPlannedStop(null);
      long generation = engine.nextGeneration();
      String expected = String.join(" ", command.argv());
      registry.update(
          entry,
          r -> r.withProcess(ProcessIdentity.intended(expected, scheduler.now()), scheduler.now()));
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
      ManagedProcess process = processes.launch(record.id(), command, logs.logFile(record.id()));
      engine.process = process;
      registry.update(entry, r -> r.withProcess(process.identity(), scheduler.now()));
      return new Started(process, generation);
    }
  }

  /** STOPPED with its desired state kept, as the shutdown leaves the engines it stopped. */
  private void notLaunchedAtShutdown(EngineEntry entry) {
    registry.transition(entry, EngineState.STOPPED, "gateway shutting down: not launched", r -> r);
    logs.note(
        entry.id(),
        "not launched: the gateway is shutting down (it is launched at the next start)");
  }

  private HostEngineContext context(EngineRecord record) {
    return new HostEngineContext(
        record.id(),
        HostOptions.forRuntime(record.spec()),
        record.host(),
        record.port(),
        record.gpuIds(),
        logs.engineDir(record.id()).resolve("work"),
        record.engineApiKey(),
        javaExecutable,
        scheduler.clock());
  }

  /** Reconciliation found the engine's process alive: watch it like a launched one. */
  void adopt(EngineEntry entry, ManagedProcess process) {
    SupervisedEngine engine = engines.of(entry);
    long generation = engine.nextGeneration();
    engines.configure(engine, plugins.findRuntime(entry.record().spec().runtime()).orElse(null));
    engine.process = process;
    engine.probe = HealthProbe.standard(entry.record().spec().kind());
    health.watch(engine, Duration.ZERO);
    watchExit(engine, process, generation);
  }

  /** Reconciliation: a remote engine that was STARTING or READY is probed again at once. */
  void adoptRemote(EngineEntry entry) {
    SupervisedEngine engine = engines.of(entry);
    engine.nextGeneration();
    engines.configure(engine, null);
    engine.probe = HealthProbe.standard(entry.record().spec().kind());
    health.watch(engine, Duration.ZERO);
  }

  private void watchExit(SupervisedEngine engine, ManagedProcess process, long generation) {
    process
        .exit()
        .thenAccept(
            code -> scheduler.execute(() -> onProcessExit(engine, process, generation, code)));
  }

  private void onProcessExit(
      SupervisedEngine engine, ManagedProcess process, long generation, OptionalInt code) {
    if (engines.closing() || engine.generation() != generation || engine.stopping) {
      return;
    }
    String exit =
        code.isPresent() ? "process exited with code " + code.getAsInt() : "process exited";
    String last = failures.lastLogLine(engine.entry.record());
    String reason = last.isEmpty() ? exit : exit + ": " + last;
    EngineState current = engine.entry.state();
    switch (current) {
      case STARTING, READY -> failures.fail(engine.entry, current, reason);
      case DRAINING, STOPPED, ERROR -> {
        // being stopped, or failed already: the stopper or the restart policy has it in hand
      }
    }
  }

  private void reacquirePort(EngineEntry entry) {
    EngineRecord record = entry.record();
    if (record.isRemote() || record.port() == null) {
      return;
    }
    int port = ports.reacquire(record.id(), record.port());
    if (port != record.port()) {
      logs.note(record.id(), "port " + record.port() + " is taken; moved to port " + port);
      registry.update(entry, r -> r.withPlacement(r.placement().onPort(port), scheduler.now()));
    }
  }
}

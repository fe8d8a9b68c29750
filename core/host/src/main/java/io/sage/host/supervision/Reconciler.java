package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.process.ManagedProcess;
import io.sage.host.process.ProcessIdentification;
import io.sage.host.process.ProcessTable;
import io.sage.host.process.ProcessTable.Signal;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the registry and reality together when the gateway starts (docs/spec.md §4): adopts engine
 * processes that still run (the very process: see {@link ProcessIdentification}), relaunches those
 * whose process is gone but should run, finishes interrupted drains, and probes remote engines
 * again. Adopting writes no event; everything else goes through the registry's transitions.
 */
public final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
  static final String GONE = "gateway restarted; process gone";

  private final EngineRegistry registry;
  private final SupervisedEngines engines;
  private final ProcessTable processes;
  private final ProcessIdentification identification;
  private final PortAllocator ports;
  private final EngineLogs logs;
  private final EngineLauncher launcher;
  private final EngineStopper stopper;
  private final EngineFailures failures;
  private final RestartScheduler restarts;
  private final RemoteJobReconciliation jobs;

  Reconciler(
      EngineRegistry registry,
      SupervisedEngines engines,
      ProcessTable processes,
      PortAllocator ports,
      EngineLogs logs,
      EngineLauncher launcher,
      EngineStopper stopper,
      EngineFailures failures,
      RestartScheduler restarts,
      RemoteJobReconciliation jobs) {
    this.registry = registry;
    this.engines = engines;
    this.processes = processes;
    this.identification = new ProcessIdentification(processes);
    this.ports = ports;
    this.logs = logs;
    this.launcher = launcher;
    this.stopper = stopper;
    this.failures = failures;
    this.restarts = restarts;
    this.jobs = jobs;
  }

  /** Reconciles every engine of the registry; one that fails is logged and left as it was. */
  void reconcile() {
    for (EngineEntry entry : registry.all()) {
      try {
        if (entry.record().isRemote()) {
          reconcileRemote(entry);
        } else {
          reconcileLocal(entry);
        }
      } catch (RuntimeException e) {
        LOG.error("engine {}: reconciliation failed", entry.id(), e);
      }
    }
  }

  private void reconcileLocal(EngineEntry entry) {
    if (jobs.reconcile(entry)) {
      return; // an engine that runs as a scheduler job: adopted or resubmitted by its job handle
    }
    EngineRecord record = entry.record();
    if (identification.identify(record.process(), record.id()).isPresent()) {
      adopt(entry);
      return;
    }
    killLeftovers(record);
    switch (record.state()) {
      case STARTING, READY -> failures.failAndRelaunch(entry, record.state(), GONE);
      case DRAINING ->
          registry.transitionIf(entry, EngineState.DRAINING, EngineState.STOPPED, GONE, r -> r);
      case ERROR -> {
        if (record.desiredState().isRunning()) {
          restarts.afterFailure(
              entry,
              "gateway restarted; engine was in ERROR: "
                  + (record.lastError() == null ? "unknown reason" : record.lastError()));
        }
      }
      case STOPPED -> {
        if (record.desiredState().isRunning()) {
          restarts.relaunch(
              entry,
              EngineState.STOPPED,
              "gateway restarted; relaunching the engine that was running");
        }
      }
    }
  }

  /** The leader is gone but forked children of its group survived: never leave them behind. */
  private void killLeftovers(EngineRecord record) {
    long pgid = record.process().pid();
    if (pgid > 1 && processes.find(pgid).isEmpty() && !processes.groupMembers(pgid).isEmpty()) {
      processes.signalGroup(pgid, Signal.KILL);
    }
  }

  private void adopt(EngineEntry entry) {
    EngineRecord record = entry.record();
    ManagedProcess process = ManagedProcess.adopted(record.process(), processes);
    if (record.port() != null) {
      ports.hold(record.id(), record.port());
    }
    launcher.adopt(entry, process);
    logs.note(record.id(), "gateway restarted; adopted running process " + process.pid());
    LOG.info(
        "engine {}: adopted process {} in state {}", record.id(), process.pid(), record.state());
    switch (record.state()) {
      case STARTING, READY -> {
        // the health monitor takes it from here
      }
      case DRAINING -> stopper.drainAndStop(entry, Duration.ZERO);
      case ERROR, STOPPED -> stopper.terminate(engines.of(entry));
    }
  }

  private void reconcileRemote(EngineEntry entry) {
    EngineRecord record = entry.record();
    switch (record.state()) {
      case STARTING, READY -> launcher.adoptRemote(entry);
      case DRAINING ->
          registry.transitionIf(
              entry,
              EngineState.DRAINING,
              EngineState.STOPPED,
              "gateway restarted while draining a remote engine",
              r -> r);
      case ERROR -> {
        if (record.desiredState().isRunning()) {
          restarts.relaunch(
              entry, EngineState.ERROR, "gateway restarted; probing the remote engine again");
        }
      }
      case STOPPED -> {
        // stays stopped
      }
    }
  }
}

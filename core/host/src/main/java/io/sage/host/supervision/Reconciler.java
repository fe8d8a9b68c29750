package io.sage.host.supervision;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.process.ManagedProcess;
import io.sage.host.process.ProcessGroups;
import io.sage.host.process.ProcessLauncher;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the registry and reality together when the gateway starts (SPEC.md section 4): adopts
 * engine processes that still run (pid, start time and command line all match), relaunches those
 * whose process is gone but should run, finishes interrupted drains, and probes remote engines.
 */
public final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
  static final String GONE = "gateway restarted; process gone";

  private final EngineRegistry registry;
  private final EngineSupervisor supervisor;
  private final ProcessLauncher launcher;
  private final PortAllocator ports;
  private final EngineLogs logs;

  public Reconciler(
      EngineRegistry registry,
      EngineSupervisor supervisor,
      ProcessLauncher launcher,
      PortAllocator ports,
      EngineLogs logs) {
    this.registry = registry;
    this.supervisor = supervisor;
    this.launcher = launcher;
    this.ports = ports;
    this.logs = logs;
  }

  public void reconcile() {
    for (EngineEntry entry : registry.all()) {
      try {
        reconcile(entry);
      } catch (RuntimeException e) {
        LOG.error("engine {}: reconciliation failed", entry.id(), e);
      }
    }
  }

  private void reconcile(EngineEntry entry) {
    EngineRecord record = entry.record();
    if (record.isRemote()) {
      reconcileRemote(entry);
      return;
    }
    if (supervisor.remoteJobs().reconcile(entry)) {
      return;
    }
    Optional<ProcessHandle> alive =
        record.pid() == null
            ? Optional.empty()
            : ProcessGroups.identify(
                record.pid(), record.processStartTime(), record.commandLine(), record.id());
    if (alive.isPresent()) {
      adopt(entry, alive.get());
      return;
    }
    if (record.pid() != null
        && record.pid() > 1
        && !ProcessGroups.members(record.pid()).isEmpty()
        && ProcessHandle.of(record.pid()).isEmpty()) {
      // the leader is gone but forked children of the group survived: never leave them behind
      ProcessGroups.signal(record.pid(), "KILL");
    }
    switch (record.state()) {
      case STARTING, READY -> {
        supervisor.registryFail(entry, record.state(), GONE);
      }
      case DRAINING ->
          registry.transitionIf(entry, EngineState.DRAINING, EngineState.STOPPED, GONE, r -> r);
      case ERROR -> {
        if (record.desiredState() == DesiredState.RUNNING) {
          supervisor.scheduleRestartAfterRecovery(
              entry,
              "gateway restarted; engine was in ERROR: "
                  + (record.lastError() == null ? "unknown reason" : record.lastError()));
        }
      }
      case STOPPED -> {
        if (record.desiredState() == DesiredState.RUNNING) {
          supervisor.relaunch(
              entry,
              EngineState.STOPPED,
              "gateway restarted; relaunching the engine that was running");
        }
      }
      default -> throw new IllegalStateException("unhandled state " + record.state());
    }
  }

  private void adopt(EngineEntry entry, ProcessHandle handle) {
    EngineRecord record = entry.record();
    ManagedProcess process =
        launcher.adopt(handle, record.processStartTime(), record.commandLine());
    entry.setProcess(process);
    if (record.port() != null) {
      ports.hold(record.id(), record.port());
    }
    supervisor.adopted(entry, process);
    logs.note(record.id(), "gateway restarted; adopted running process " + record.pid());
    LOG.info(
        "engine {}: adopted process {} in state {}", record.id(), record.pid(), record.state());
    switch (record.state()) {
      case STARTING, READY -> {
        // the probe loop takes it from here
      }
      case DRAINING -> supervisor.resumeDrain(entry, Duration.ZERO);
      case ERROR, STOPPED -> supervisor.terminateOrphan(entry);
      default -> throw new IllegalStateException("unhandled state " + record.state());
    }
  }

  private void reconcileRemote(EngineEntry entry) {
    EngineRecord record = entry.record();
    switch (record.state()) {
      case STARTING, READY -> supervisor.adoptedRemote(entry);
      case DRAINING ->
          registry.transitionIf(
              entry,
              EngineState.DRAINING,
              EngineState.STOPPED,
              "gateway restarted while draining a remote engine",
              r -> r);
      case ERROR -> {
        if (record.desiredState() == DesiredState.RUNNING) {
          supervisor.relaunch(
              entry, EngineState.ERROR, "gateway restarted; probing the remote engine again");
        }
      }
      case STOPPED -> {
        // stays stopped
      }
      default -> throw new IllegalStateException("unhandled state " + record.state());
    }
  }
}

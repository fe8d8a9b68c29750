package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.ProcessIdentity;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.process.ManagedProcess;
import io.sage.host.process.ProcessIdentification;
import io.sage.host.process.ProcessLauncher;
import io.sage.host.process.ProcessTable;
import io.sage.host.process.ProcessTable.Signal;
import io.sage.host.process.ProcessTable.TaggedProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the registry and reality together when the gateway starts (docs/spec.md §4). Every process
 * that carries one of the registry's engine ids in its environment is found first; per engine, the
 * one the registry expects is adopted (the recorded process, or, when the gateway died between the
 * launch intent and the pid, the process started for that intent) and every other group is an
 * orphan: stopped, and written as an event. Then engines whose process is gone are relaunched when
 * they should run, interrupted drains and stops are finished, and remote engines probed again.
 */
public final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
  static final String GONE = "gateway restarted; process gone";
  static final String STOP_FINISHED = "gateway restarted; finishing the stop that was requested";

  /** The OS's start times are this precise; a process started for an intent is not older. */
  private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

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
    Map<String, List<TaggedProcess>> found = processesOfEngines();
    for (EngineEntry entry : registry.all()) {
      try {
        if (entry.record().isRemote()) {
          reconcileRemote(entry);
        } else {
          reconcileLocal(entry, found.getOrDefault(entry.id(), List.of()));
        }
      } catch (RuntimeException e) {
        LOG.error("engine {}: reconciliation failed", entry.id(), e);
      }
    }
  }

  /** The live processes carrying a local engine's id in their environment, by engine id. */
  private Map<String, List<TaggedProcess>> processesOfEngines() {
    Set<String> ids = new HashSet<>();
    for (EngineEntry entry : registry.all()) {
      // engines that run as scheduler jobs are found through their scheduler, never by pid
      if (!entry.record().isRemote() && !jobs.manages(entry.record())) {
        ids.add(entry.id());
      }
    }
    Map<String, List<TaggedProcess>> byEngine = new HashMap<>();
    if (ids.isEmpty()) {
      return byEngine;
    }
    try {
      for (TaggedProcess process : processes.withEnvironment(ProcessLauncher.ENGINE_ID_ENV)) {
        if (ids.contains(process.value())) {
          byEngine.computeIfAbsent(process.value(), id -> new ArrayList<>()).add(process);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("cannot list the engines' processes; only recorded pids are checked", e);
    }
    return byEngine;
  }

  private void reconcileLocal(EngineEntry entry, List<TaggedProcess> found) {
    if (jobs.reconcile(entry)) {
      return; // an engine that runs as a scheduler job: adopted or resubmitted by its job handle
    }
    EngineRecord record = entry.record();
    Optional<ProcessIdentity> expected = expected(record, found);
    stopOrphans(entry, found, expected.map(ProcessIdentity::pid).orElse(0L));
    if (expected.isPresent()) {
      if (!expected.get().equals(record.process())) {
        // found by its engine id: the gateway died after the intent, before the pid was written
        registry.update(entry, r -> r.withProcess(expected.get(), registry.clock().instant()));
        logs.note(
            entry.id(),
            "gateway restarted; process "
                + expected.get().pid()
                + " found by its engine id: started for the launch intent, its pid never recorded");
      }
      adopt(entry);
      return;
    }
    killLeftovers(record);
    boolean stopPending = !record.desiredState().isRunning();
    switch (record.state()) {
      case STARTING, READY -> {
        if (stopPending) {
          stopper.settleStopped(entry, STOP_FINISHED + "; " + GONE);
        } else {
          failures.failAndRelaunch(entry, record.state(), GONE);
        }
      }
      case DRAINING ->
          registry.transitionIf(entry, EngineState.DRAINING, EngineState.STOPPED, GONE, r -> r);
      case ERROR -> {
        if (stopPending) {
          stopper.settleStopped(entry, STOP_FINISHED + "; process gone");
        } else {
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

  /**
   * The process the registry expects: the recorded one when it is the very same; for a launch
   * intent without a pid, the newest group leader carrying the engine's id that started no earlier
   * than the intent (the command line it was meant to have first).
   */
  private Optional<ProcessIdentity> expected(EngineRecord record, List<TaggedProcess> found) {
    if (identification.identify(record.process(), record.id()).isPresent()) {
      return Optional.of(record.process());
    }
    ProcessIdentity intent = record.process();
    if (!intent.isIntent()) {
      return Optional.empty();
    }
    Instant notBefore = intent.startTime().minus(START_TOLERANCE);
    return found.stream()
        .filter(TaggedProcess::leadsGroup)
        .filter(p -> p.info().startTime().map(t -> !t.isBefore(notBefore)).orElse(false))
        .max(
            Comparator.comparing(
                    (TaggedProcess p) ->
                        p.info().commandLine().map(intent.commandLine()::equals).orElse(false))
                .thenComparing(p -> p.info().startTime().orElseThrow()))
        .map(p -> new ProcessIdentity(p.pid(), p.info().startTime().get(), intent.commandLine()));
  }

  /**
   * Every process group carrying the engine's id other than the adopted one is not the registry's:
   * it is written as an event, then stopped (SIGTERM, SIGKILL after the grace period).
   */
  private void stopOrphans(EngineEntry entry, List<TaggedProcess> found, long keptGroup) {
    Map<Long, List<TaggedProcess>> groups = new TreeMap<>();
    for (TaggedProcess process : found) {
      if (process.pgid() != keptGroup) {
        groups.computeIfAbsent(process.pgid(), g -> new ArrayList<>()).add(process);
      }
    }
    groups.forEach(
        (pgid, members) -> {
          String reason =
              "gateway restarted; stopping orphan process group "
                  + pgid
                  + " ("
                  + members.size()
                  + " process(es), pid "
                  + members.get(0).pid()
                  + "): it carries this engine's id but is not the process the registry "
                  + (keptGroup > 1 ? "adopted (pid " + keptGroup + ")" : "expects");
          registry.note(entry, reason, r -> r);
          logs.note(entry.id(), reason);
          try {
            stopper
                .terminateOrphan(entry, pgid)
                .whenComplete(
                    (how, error) ->
                        LOG.info("engine {}: orphan group {}: {}", entry.id(), pgid, how));
          } catch (RuntimeException e) {
            // init's or the gateway's own group (never signalled), or kill(1) failed: say so
            LOG.error("engine {}: orphan group {} cannot be stopped", entry.id(), pgid, e);
            logs.note(entry.id(), "orphan process group " + pgid + " cannot be stopped: " + e);
          }
        });
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
    boolean stopPending = !record.desiredState().isRunning();
    switch (record.state()) {
      case STARTING, READY -> {
        if (stopPending) {
          stopper.finishStop(entry, STOP_FINISHED);
        }
        // otherwise the health monitor takes it from here
      }
      case DRAINING -> stopper.drainAndStop(entry, Duration.ZERO);
      case ERROR -> {
        if (stopPending) {
          stopper.finishStop(entry, STOP_FINISHED);
        } else {
          stopper.terminate(engines.of(entry));
        }
      }
      case STOPPED -> stopper.terminate(engines.of(entry));
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

package io.sage.host.supervision;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.process.ManagedProcess;
import io.sage.host.process.ProcessTable;
import io.sage.host.process.ProcessTable.Signal;
import io.sage.host.time.Poll;
import io.sage.host.time.Scheduler;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops engines: READY → DRAINING (the router stops at once) → wait for in-flight requests or the
 * drain timeout → SIGTERM to the process group → SIGKILL after the grace period → STOPPED once no
 * member of the group is left. STARTING and ERROR engines stop without draining. Nothing here holds
 * a thread while it waits: the waits are timers.
 */
public final class EngineStopper {
  private static final Logger LOG = LoggerFactory.getLogger(EngineStopper.class);
  static final Duration DRAIN_POLL = Duration.ofMillis(20);
  static final Duration GONE_POLL = Duration.ofMillis(25);

  /** How long a group may take to vanish after SIGKILL before it is reported as surviving. */
  static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final EngineRegistry registry;
  private final SupervisedEngines engines;
  private final ProcessTable processes;
  private final Scheduler scheduler;
  private final PortAllocator ports;
  private final EngineLogs logs;
  private final RemoteJobSupervision jobs;

  EngineStopper(
      EngineRegistry registry,
      SupervisedEngines engines,
      ProcessTable processes,
      Scheduler scheduler,
      PortAllocator ports,
      EngineLogs logs,
      RemoteJobSupervision jobs) {
    this.registry = registry;
    this.engines = engines;
    this.processes = processes;
    this.scheduler = scheduler;
    this.ports = ports;
    this.logs = logs;
    this.jobs = jobs;
  }

  /**
   * Stops an engine; 409 when it is DRAINING or STOPPED already.
   *
   * @return completes when the engine is STOPPED
   */
  CompletableFuture<EngineRecord> stop(
      EngineEntry entry, boolean drain, Duration drainTimeout, String actor) {
    SupervisedEngine engine = engines.of(entry);
    synchronized (entry) {
      EngineState current = entry.state();
      return switch (current) {
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
              r -> r.withDesiredState(DesiredState.STOPPED, scheduler.now()));
          yield drainAndStop(entry, drain ? drainTimeout : Duration.ZERO);
        }
        case STARTING, ERROR -> {
          engine.stopping = true;
          registry.update(entry, r -> r.withDesiredState(DesiredState.STOPPED, scheduler.now()));
          yield terminate(engine)
              .thenApply(
                  how -> {
                    registry.transitionIf(
                        entry,
                        current,
                        EngineState.STOPPED,
                        "stopped by " + actor + " while " + current,
                        r -> r);
                    releasePort(entry);
                    return entry.record();
                  });
        }
        case DRAINING ->
            throw new SageException(
                ErrorCode.ILLEGAL_STATE, "engine " + entry.id() + " is already DRAINING", "state");
        case STOPPED ->
            throw new SageException(
                ErrorCode.ILLEGAL_STATE,
                "cannot stop engine " + entry.id() + ": it is already STOPPED",
                "state");
      };
    }
  }

  /** DRAINING → STOPPED once in-flight requests reach 0 or {@code drainTimeout} passed. */
  CompletableFuture<EngineRecord> drainAndStop(EngineEntry entry, Duration drainTimeout) {
    SupervisedEngine engine = engines.of(entry);
    return Poll.until(scheduler, () -> entry.inFlight() == 0, drainTimeout, DRAIN_POLL)
        .thenCompose(
            drained -> {
              int left = entry.inFlight();
              engine.stopping = true;
              return terminate(engine)
                  .thenApply(
                      stopped -> {
                        String reason =
                            left > 0
                                ? "drain timeout after "
                                    + drainTimeout.toSeconds()
                                    + " s with "
                                    + left
                                    + " request(s) in flight; "
                                    + stopped
                                : "drained; " + stopped;
                        registry.transitionIf(
                            entry, EngineState.DRAINING, EngineState.STOPPED, reason, r -> r);
                        releasePort(entry);
                        return entry.record();
                      });
            });
  }

  /**
   * SIGTERM to the engine's process group, SIGKILL after the grace period, until no member is left.
   * Completes with a sentence saying how it ended. An engine that runs as a scheduler job is
   * cancelled through the scheduler instead ({@link RemoteJobSupervision#cancel}).
   */
  CompletableFuture<String> terminate(SupervisedEngine engine) {
    EngineRecord record = engine.entry.record();
    if (record.isRemote()) {
      return CompletableFuture.completedFuture("remote engine, nothing to stop");
    }
    if (jobs.manages(record)) {
      engine.stopping = true;
      return jobs.cancel(engine);
    }
    ManagedProcess process = engine.process;
    long pgid = process != null ? process.pid() : record.process().pid();
    if (pgid <= 1 || isGone(pgid, process)) {
      return CompletableFuture.completedFuture("process group already gone");
    }
    engine.stopping = true;
    Duration grace = engine.stopGrace;
    processes.signalGroup(pgid, Signal.TERM);
    return Poll.until(scheduler, () -> isGone(pgid, process), grace, GONE_POLL)
        .thenCompose(
            gone -> {
              if (gone) {
                logs.note(engine.id(), "process group " + pgid + " stopped after SIGTERM");
                return CompletableFuture.completedFuture("process group stopped after SIGTERM");
              }
              processes.signalGroup(pgid, Signal.KILL);
              return Poll.until(scheduler, () -> isGone(pgid, process), KILL_WAIT, GONE_POLL)
                  .thenApply(killed -> afterKill(engine, pgid, grace, killed));
            });
  }

  private String afterKill(SupervisedEngine engine, long pgid, Duration grace, boolean killed) {
    if (killed) {
      logs.note(
          engine.id(),
          "process group " + pgid + " killed after the " + grace.toSeconds() + " s grace period");
      return "process group killed (SIGKILL) after " + grace.toSeconds() + " s grace period";
    }
    LOG.error(
        "engine {}: process group {} survived SIGKILL: {}",
        engine.id(),
        pgid,
        processes.groupMembers(pgid));
    return "process group " + pgid + " did not exit after SIGKILL";
  }

  private boolean isGone(long pgid, ManagedProcess process) {
    boolean leaderGone = process == null || !process.isAlive();
    return leaderGone && processes.groupMembers(pgid).isEmpty();
  }

  /**
   * Gateway shutdown: stops every engine this gateway runs as {@link #stop} does (drain included),
   * keeping the desired states, so engines that were running come back at the next start.
   */
  CompletableFuture<Void> stopAll(Duration drainTimeout) {
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (EngineEntry entry : registry.all()) {
      if (!entry.state().isActive() || entry.record().isRemote()) {
        continue;
      }
      DesiredState desired = entry.record().desiredState();
      try {
        CompletableFuture<EngineRecord> stopping =
            entry.state() == EngineState.DRAINING
                ? drainAndStop(entry, drainTimeout)
                : stop(entry, true, drainTimeout, "gateway shutdown");
        pending.add(
            stopping.thenRun(
                () -> registry.update(entry, r -> r.withDesiredState(desired, scheduler.now()))));
      } catch (SageException e) {
        LOG.warn("engine {}: not stopped at shutdown: {}", entry.id(), e.getMessage());
      }
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
  }

  void releasePort(EngineEntry entry) {
    Integer port = entry.record().port();
    if (port != null && !entry.record().isRemote()) {
      ports.release(entry.id(), port);
    }
  }
}

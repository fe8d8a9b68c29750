package io.sage.host.supervision;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.HostOptions;
import io.sage.host.process.EngineLogs;
import io.sage.host.time.Scheduler;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings engines back: the automatic restart after a failure ({@link RestartPolicy}: backoff with
 * jitter, a budget per window, {@code restart_policy: never} to opt out), the manual restart, and
 * the relaunch of reconciliation. Every path goes ERROR/STOPPED → STARTING and then hands the
 * engine to the launcher.
 */
public final class RestartScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(RestartScheduler.class);

  private final EngineRegistry registry;
  private final SupervisedEngines engines;
  private final Scheduler scheduler;
  private final EngineLogs logs;
  private final Consumer<EngineEntry> relaunch;

  /**
   * @param relaunch launches an engine that just went to STARTING again (on a worker thread)
   */
  RestartScheduler(
      EngineRegistry registry,
      SupervisedEngines engines,
      Scheduler scheduler,
      EngineLogs logs,
      Consumer<EngineEntry> relaunch) {
    this.registry = registry;
    this.engines = engines;
    this.scheduler = scheduler;
    this.logs = logs;
    this.relaunch = relaunch;
  }

  /** After a failure: schedules the next automatic restart, or gives up and says why. */
  void afterFailure(EngineEntry entry, String reason) {
    EngineRecord record = entry.record();
    if (engines.closing()
        || record.desiredState() != DesiredState.RUNNING
        || entry.state() != EngineState.ERROR) {
      return;
    }
    if (entry.hostOptions().restarts() == HostOptions.Restarts.NEVER) {
      logs.note(entry.id(), "not restarting: restart_policy is never");
      return;
    }
    SupervisionConfig config = engines.config();
    RestartPolicy policy = engines.of(entry).restarts;
    Optional<Duration> delay = policy.next(scheduler.now());
    if (delay.isEmpty()) {
      String gaveUp =
          "gave up restarting: "
              + config.maxRestarts()
              + " restarts within "
              + config.restartWindow().toMinutes()
              + " min; last failure: "
              + reason;
      registry.note(entry, gaveUp, r -> r.withLastError(gaveUp, scheduler.now()));
      logs.note(entry.id(), gaveUp);
      LOG.warn("engine {}: {}", entry.id(), gaveUp);
      return;
    }
    // kept in the registry at once: a gateway restart during the backoff still counts this one
    registry.update(entry, r -> r.withRecentRestarts(policy.history(), scheduler.now()));
    String restartReason =
        "automatic restart "
            + policy.recentRestarts()
            + "/"
            + config.maxRestarts()
            + " after "
            + delay.get().toMillis()
            + " ms; previous failure: "
            + reason;
    scheduler.schedule(delay.get(), () -> relaunch(entry, EngineState.ERROR, restartReason));
  }

  /** Manual restart from ERROR or STOPPED (409 otherwise); resets the restart budget. */
  EngineRecord restart(EngineEntry entry, String actor) {
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
    if (entry.record().desiredState() == DesiredState.STOPPED && current == EngineState.ERROR) {
      throw new SageException(
          ErrorCode.ILLEGAL_STATE,
          "cannot restart engine " + entry.id() + ": a stop is pending",
          "state");
    }
    engines.of(entry).restarts.reset();
    if (!relaunch(entry, current, "manual restart by " + actor, true)) {
      throw new SageException(
          ErrorCode.ILLEGAL_STATE,
          "cannot restart engine " + entry.id() + ": it is " + entry.state(),
          "state");
    }
    return entry.record();
  }

  /**
   * {@code from} → STARTING counting a restart, then the launch on a worker thread, for an engine
   * that is meant to run. False when the engine is no longer in {@code from}, a stop was asked for
   * meanwhile (the stop wins), or the gateway is shutting down.
   */
  boolean relaunch(EngineEntry entry, EngineState from, String reason) {
    return relaunch(entry, from, reason, false);
  }

  /**
   * @param manual a manual restart: the operator's newer word makes the engine meant to run again
   *     and empties the restart budget's window
   */
  private boolean relaunch(EngineEntry entry, EngineState from, String reason, boolean manual) {
    if (engines.closing()) {
      return false;
    }
    boolean moved =
        registry.transitionWhen(
            entry,
            r -> r.state() == from && (manual || r.desiredState() == DesiredState.RUNNING),
            EngineState.STARTING,
            reason,
            r -> {
              // no probe until the new process is launched: the old address may answer for a
              // moment (a remote engine, a port reused), which must not make the engine READY
              engines.of(entry).nextProbeAt = Instant.MAX;
              Instant now = scheduler.now();
              EngineRecord restarted =
                  r.withRestart(now)
                      .withHealth(r.health().cleared(), now)
                      .withDesiredState(DesiredState.RUNNING, now);
              return manual ? restarted.withRecentRestarts(List.of(), now) : restarted;
            });
    if (moved) {
      scheduler.execute(() -> relaunch.accept(entry));
    }
    return moved;
  }
}

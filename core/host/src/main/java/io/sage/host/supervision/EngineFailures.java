package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.process.EngineLogs;
import io.sage.host.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when an engine fails (its process exited, the startup timeout passed, the health
 * checks failed, the launch failed): ERROR with the reason, then what is left of the process is
 * killed (a hung engine keeps running otherwise), then the restart policy applies.
 */
public final class EngineFailures {
  private static final Logger LOG = LoggerFactory.getLogger(EngineFailures.class);

  private final EngineRegistry registry;
  private final SupervisedEngines engines;
  private final EngineStopper stopper;
  private final RestartScheduler restarts;
  private final EngineLogs logs;
  private final Scheduler scheduler;

  EngineFailures(
      EngineRegistry registry,
      SupervisedEngines engines,
      EngineStopper stopper,
      RestartScheduler restarts,
      EngineLogs logs,
      Scheduler scheduler) {
    this.registry = registry;
    this.engines = engines;
    this.stopper = stopper;
    this.restarts = restarts;
    this.logs = logs;
    this.scheduler = scheduler;
  }

  /**
   * Moves the engine to ERROR if it is still in {@code from}, then stops what is left of it and
   * applies the restart policy. Nothing happens when the state moved meanwhile.
   */
  void fail(EngineEntry entry, EngineState from, String reason) {
    boolean moved;
    try {
      moved = markError(entry, from, reason);
    } catch (RuntimeException e) {
      LOG.error("engine {}: could not record ERROR: {}", entry.id(), reason, e);
      return;
    }
    if (moved) {
      // on a worker: signalling runs kill(1), which must not hold up the health monitor's tick
      scheduler.execute(
          () ->
              stopper
                  .terminate(engines.of(entry))
                  .whenComplete((how, error) -> restarts.afterFailure(entry, reason)));
    }
  }

  /**
   * Reconciliation: a recorded process is gone; ERROR now, then at once STARTING when the engine
   * should run (no backoff: nothing failed, the gateway was away).
   */
  void failAndRelaunch(EngineEntry entry, EngineState from, String reason) {
    if (markError(entry, from, reason) && entry.record().desiredState().isRunning()) {
      restarts.relaunch(entry, EngineState.ERROR, reason);
    }
  }

  /** {@code from} → ERROR with the reason as {@code last_error}, unless the state moved. */
  private boolean markError(EngineEntry entry, EngineState from, String reason) {
    return registry.transitionIf(
        entry,
        from,
        EngineState.ERROR,
        reason,
        r -> r.withLastError(reason, registry.clock().instant()));
  }

  /**
   * The engine's last log line for failure reasons, without its API key (vLLM logs its own args).
   */
  String lastLogLine(EngineRecord record) {
    String line = logs.lastLine(record.id());
    String key = record.engineApiKey();
    return key.isEmpty() ? line : line.replace(key, "****");
  }
}

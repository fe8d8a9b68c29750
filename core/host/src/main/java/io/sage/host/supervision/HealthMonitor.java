package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Health;
import io.sage.host.engine.ProbeObserver;
import io.sage.host.process.EngineLogs;
import io.sage.host.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches STARTING and READY engines: a tick every 100 ms fires the probes that are due (250 ms
 * apart while STARTING, the health interval when READY) and enforces the startup timeout. The first
 * good probe makes a STARTING engine READY; {@code failureThreshold} failed probes in a row make a
 * READY engine ERROR. The startup time of a scheduler job counts from when it began RUNNING.
 */
public final class HealthMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
  static final Duration TICK = Duration.ofMillis(100);

  private final EngineRegistry registry;
  private final SupervisedEngines engines;
  private final Scheduler scheduler;
  private final Prober prober;
  private final EngineLogs logs;
  private final EngineFailures failures;
  private volatile ProbeObserver observer = ProbeObserver.NONE;

  HealthMonitor(
      EngineRegistry registry,
      SupervisedEngines engines,
      Scheduler scheduler,
      Prober prober,
      EngineLogs logs,
      EngineFailures failures) {
    this.registry = registry;
    this.engines = engines;
    this.scheduler = scheduler;
    this.prober = prober;
    this.logs = logs;
    this.failures = failures;
  }

  /** Starts the tick; call after reconciliation. */
  Scheduler.Timer start() {
    return scheduler.repeat(TICK, this::tick);
  }

  void setObserver(ProbeObserver observer) {
    this.observer = observer == null ? ProbeObserver.NONE : observer;
  }

  /** The first probe of a (re)launched or adopted engine, {@code delay} from now. */
  void watch(SupervisedEngine engine, Duration delay) {
    engine.nextProbeAt = scheduler.now().plus(delay);
  }

  /** The next tick probes this engine at once (a passive failure seen by the proxy). */
  void probeSoon(EngineEntry entry) {
    engines.of(entry).nextProbeAt = Instant.MIN;
  }

  void tick() {
    Instant now = scheduler.now();
    for (EngineEntry entry : registry.all()) {
      try {
        switch (entry.state()) {
          case STARTING -> {
            SupervisedEngine engine = engines.of(entry);
            if (!startupTimedOut(engine, now)) {
              probeIfDue(engine, now, engines.config().startingProbeInterval());
            }
          }
          case READY -> {
            SupervisedEngine engine = engines.of(entry);
            probeIfDue(engine, now, engine.healthInterval);
          }
          case DRAINING, STOPPED, ERROR -> {
            // not probed: routing already ignores them, and their process is being stopped
          }
        }
      } catch (RuntimeException e) {
        LOG.warn("engine {}: supervision tick failed", entry.id(), e);
      }
    }
  }

  private boolean startupTimedOut(SupervisedEngine engine, Instant now) {
    EngineRecord record = engine.entry.record();
    Instant since = engine.job ? engine.jobRunningSince : record.stateSince();
    if (since == null) {
      return false; // a queued scheduler job: queue time does not count
    }
    Duration elapsed = Duration.between(since, now);
    if (elapsed.compareTo(engine.startupTimeout) <= 0) {
      return false;
    }
    String last = failures.lastLogLine(record);
    failures.fail(
        engine.entry,
        EngineState.STARTING,
        "startup timeout: not ready after "
            + engine.startupTimeout.toSeconds()
            + " s"
            + (last.isEmpty() ? "" : "; last log line: " + last));
    return true;
  }

  private void probeIfDue(SupervisedEngine engine, Instant now, Duration interval) {
    if (now.isBefore(engine.nextProbeAt) || !engine.probing.compareAndSet(false, true)) {
      return;
    }
    engine.nextProbeAt = now.plus(interval);
    EngineRecord record = engine.entry.record();
    if (record.baseUrl() == null) {
      engine.probing.set(false);
      return;
    }
    long generation = engine.generation();
    long started = System.nanoTime();
    prober
        .probe(
            record.baseUrl(), engine.probe, record.spec().servedModelName(), record.engineApiKey())
        .whenComplete(
            (result, error) -> {
              engine.probing.set(false);
              boolean ok = error == null && result.ok();
              observe(engine.entry, ok, System.nanoTime() - started);
              if (error == null && engine.generation() == generation) {
                onProbe(engine, result);
              }
            });
  }

  private void observe(EngineEntry entry, boolean ok, long nanos) {
    try {
      observer.onProbe(entry.record(), ok, nanos);
    } catch (RuntimeException e) {
      LOG.warn("engine {}: probe observer failed", entry.id(), e);
    }
  }

  private void onProbe(SupervisedEngine engine, ProbeResult result) {
    EngineEntry entry = engine.entry;
    Instant now = scheduler.now();
    EngineRecord record = entry.record();
    switch (record.state()) {
      case STARTING -> {
        if (result.ok()) {
          long millis = Duration.between(record.stateSince(), now).toMillis();
          registry.transitionIf(
              entry,
              EngineState.STARTING,
              EngineState.READY,
              "ready: health check passed after " + millis + " ms",
              r -> r.withHealth(Health.passed(now), now).withLastError(null, now));
        }
      }
      case READY -> onReadyProbe(engine, record, result, now);
      case DRAINING, STOPPED, ERROR -> {
        // a probe that was under way when the state moved on: not acted on
      }
    }
  }

  private void onReadyProbe(
      SupervisedEngine engine, EngineRecord record, ProbeResult result, Instant now) {
    EngineEntry entry = engine.entry;
    Health health = record.health();
    if (result.ok()) {
      // the heartbeat is written at most once per interval, not on every probe
      if (health.consecutiveFailures() != 0
          || health.lastHeartbeatAt() == null
          || Duration.between(health.lastHeartbeatAt(), now).compareTo(engine.healthInterval)
              >= 0) {
        registry.update(entry, r -> r.withHealth(Health.passed(now), now));
      }
      return;
    }
    Health failed = health.failedOnce();
    registry.update(entry, r -> r.withHealth(failed, now));
    int threshold = engine.failureThreshold;
    if (failed.consecutiveFailures() >= threshold) {
      failures.fail(
          entry,
          EngineState.READY,
          failed.consecutiveFailures() + " health checks failed: " + result.detail());
    } else {
      logs.note(
          entry.id(),
          "health check failed ("
              + failed.consecutiveFailures()
              + "/"
              + threshold
              + "): "
              + result.detail());
    }
  }
}

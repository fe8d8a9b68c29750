package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.process.ManagedProcess;
import io.sage.spi.engine.HealthProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What supervision keeps per engine beside the registry record; lives only in memory. The settings
 * are set at each launch or adoption from the gateway's config, the runtime and the engine's host
 * options.
 */
final class SupervisedEngine {
  final EngineEntry entry;
  final RestartPolicy restarts;
  final AtomicBoolean probing = new AtomicBoolean();

  /** Instant.MAX until a launch or an adoption arms the probes. */
  volatile Instant nextProbeAt = Instant.MAX;

  volatile boolean stopping;
  volatile ManagedProcess process;
  volatile HealthProbe probe;
  volatile Duration stopGrace;
  volatile Duration startupTimeout;
  volatile Duration healthInterval;
  volatile int failureThreshold;

  /** True while the engine runs as a scheduler job ({@link RemoteJobSupervision}). */
  volatile boolean job;

  /** For a job: when it began RUNNING, null while queued (the startup timeout counts from here). */
  volatile Instant jobRunningSince;

  /** Bumped on every launch, so that callbacks about an older process are ignored. */
  private volatile long generation;

  SupervisedEngine(EngineEntry entry, SupervisionConfig config, RestartPolicy restarts) {
    this.entry = entry;
    this.restarts = restarts;
    this.probe = HealthProbe.standard(entry.record().spec().kind());
    this.stopGrace = config.stopGracePeriod();
    this.startupTimeout = Duration.ofSeconds(30);
    this.healthInterval = config.healthInterval();
    this.failureThreshold = config.failureThreshold();
  }

  String id() {
    return entry.id();
  }

  long generation() {
    return generation;
  }

  synchronized long nextGeneration() {
    return ++generation;
  }
}

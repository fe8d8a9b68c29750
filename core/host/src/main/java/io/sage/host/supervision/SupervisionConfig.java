package io.sage.host.supervision;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Timings of the control loop. Defaults follow docs/spec.md §3.
 *
 * @param healthInterval time between probes of a READY engine (5 s)
 * @param startingProbeInterval time between probes of a STARTING engine, so READY comes quickly
 * @param probeTimeout how long one probe may take (2 s)
 * @param failureThreshold failed probes in a row that make a READY engine ERROR (3)
 * @param startupTimeouts per-runtime overrides of the runtime's own startup timeout
 * @param drainTimeout default time DRAINING waits for in-flight requests (30 s)
 * @param stopGracePeriod default time between SIGTERM and SIGKILL (10 s)
 * @param restartBackoffInitial first restart delay (1 s), doubling
 * @param restartBackoffMax cap of the restart delay (60 s)
 * @param maxRestarts automatic restarts allowed within {@code restartWindow} (5)
 * @param restartWindow the window for {@code maxRestarts} (10 min)
 */
public record SupervisionConfig(
    Duration healthInterval,
    Duration startingProbeInterval,
    Duration probeTimeout,
    int failureThreshold,
    Map<String, Duration> startupTimeouts,
    Duration drainTimeout,
    Duration stopGracePeriod,
    Duration restartBackoffInitial,
    Duration restartBackoffMax,
    int maxRestarts,
    Duration restartWindow) {

  public SupervisionConfig {
    Objects.requireNonNull(healthInterval, "healthInterval");
    Objects.requireNonNull(startingProbeInterval, "startingProbeInterval");
    Objects.requireNonNull(probeTimeout, "probeTimeout");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(stopGracePeriod, "stopGracePeriod");
    Objects.requireNonNull(restartBackoffInitial, "restartBackoffInitial");
    Objects.requireNonNull(restartBackoffMax, "restartBackoffMax");
    Objects.requireNonNull(restartWindow, "restartWindow");
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failureThreshold must be at least 1");
    }
    if (maxRestarts < 0) {
      throw new IllegalArgumentException("maxRestarts must be >= 0");
    }
    startupTimeouts = startupTimeouts == null ? Map.of() : Map.copyOf(startupTimeouts);
  }

  public static SupervisionConfig defaults() {
    return new SupervisionConfig(
        Duration.ofSeconds(5),
        Duration.ofMillis(250),
        Duration.ofSeconds(2),
        3,
        Map.of(),
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        5,
        Duration.ofMinutes(10));
  }
}

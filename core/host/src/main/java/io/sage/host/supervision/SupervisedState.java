package io.sage.host.supervision;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** What the supervisor keeps per engine beside the registry record; lives only in memory. */
final class SupervisedState {
  final RestartPolicy restarts;
  final AtomicBoolean probing = new AtomicBoolean();
  volatile long nextProbeAtMillis;
  volatile boolean stopping;
  volatile Duration stopGrace;
  volatile Duration startupTimeout;
  volatile Duration healthInterval;
  volatile int failureThreshold;

  SupervisedState(SupervisionConfig config) {
    this.restarts = new RestartPolicy(config);
    this.stopGrace = config.stopGracePeriod();
    this.startupTimeout = Duration.ofSeconds(30);
    this.healthInterval = config.healthInterval();
    this.failureThreshold = config.failureThreshold();
  }
}

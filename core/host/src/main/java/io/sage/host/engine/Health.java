package io.sage.host.engine;

import java.time.Instant;

/**
 * What the probes last said about an engine.
 *
 * @param lastHeartbeatAt the last successful probe, or null
 * @param consecutiveFailures failed probes in a row since then
 */
public record Health(Instant lastHeartbeatAt, int consecutiveFailures) {
  /** Not probed yet (a new or relaunched engine). */
  public static final Health UNKNOWN = new Health(null, 0);

  public Health {
    if (consecutiveFailures < 0) {
      throw new IllegalArgumentException("consecutiveFailures must be >= 0");
    }
  }

  /** A probe passed at {@code at}. */
  public static Health passed(Instant at) {
    return new Health(at, 0);
  }

  /** One more failed probe. */
  public Health failedOnce() {
    return new Health(lastHeartbeatAt, consecutiveFailures + 1);
  }

  /** The failure count cleared, the heartbeat kept (a relaunch starts counting afresh). */
  public Health cleared() {
    return new Health(lastHeartbeatAt, 0);
  }
}

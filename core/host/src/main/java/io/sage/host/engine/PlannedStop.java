package io.sage.host.engine;

import java.util.Objects;

/**
 * Why the gateway itself is ending an engine's process, set just before the first signal: the proxy
 * ends the streams the process cut with this reason rather than as an engine failure.
 *
 * @param kind a drain that ran out of time, or a stop that did not wait for requests
 * @param detail one sentence for the client (who stopped it, the drain timeout)
 */
public record PlannedStop(Kind kind, String detail) {
  /** The two ways a planned stop cuts requests that are still in flight. */
  public enum Kind {
    DRAIN_TIMEOUT,
    STOP
  }

  public PlannedStop {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
  }
}

package io.sage.host.models;

import io.sage.host.EngineSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Stops on-demand models nobody asked for within their {@code idle_timeout}: with nothing in flight
 * and nobody waiting, each engine drains and stops with the reason {@code idle for 10m}. The model
 * then shows {@code idle}; the next request wakes it.
 */
final class IdleUnload {
  private final OnDemand demand;

  IdleUnload(OnDemand demand) {
    this.demand = demand;
  }

  /** One check of every model; {@code now} from the control plane's clock. */
  void check(Declarations declarations, List<EngineSnapshot> engines, Instant now) {
    check(declarations, engines, now, ElsewhereActivity.NONE);
  }

  /**
   * One check, counting what the other nodes saw too (the leader of a cluster): a model is idle
   * only when no node got a request for it within the timeout and none has any in flight or
   * waiting.
   */
  void check(
      Declarations declarations,
      List<EngineSnapshot> engines,
      Instant now,
      ElsewhereActivity elsewhere) {
    for (ModelDeclaration d : declarations.models()) {
      Duration idle = d.idleTimeout();
      if (idle == null || !ModelEngines.hasLive(d.name(), engines)) {
        continue;
      }
      Instant used = elsewhere.latest(d.name(), demand.lastUsed(d.name())).orElse(null);
      if (used == null) {
        // running since before this gateway started: count from now
        demand.used(d.name());
        continue;
      }
      if (Duration.between(used, now).compareTo(idle) >= 0
          && ModelEngines.inFlight(d.name(), engines) + elsewhere.inFlight(d.name()) == 0
          && demand.waiting(d.name()) + elsewhere.waiting(d.name()) == 0) {
        demand.unload(d.name(), engines, "idle for " + Durations.format(idle));
      }
    }
  }
}

package io.sage.host.models;

import io.sage.host.EngineSnapshot;
import io.sage.host.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Follows the load between {@code replicas.min} and {@code replicas.max}: one more replica when the
 * in-flight requests per READY engine stayed above {@code target_in_flight} for {@link #UP_AFTER},
 * one fewer when they stayed below half of it for {@link #DOWN_AFTER}, and one fewer at once while
 * more than {@code max} run (a lowered maximum). One step at a time (nothing while a replica is
 * starting or draining or a rolling update runs); every decision is in the engine's event reason.
 */
final class ReplicaScaler {
  static final Duration UP_AFTER = Duration.ofSeconds(3);
  static final Duration DOWN_AFTER = Duration.ofSeconds(10);

  private final ModelReconciler reconciler;
  private final Scheduler scheduler;
  private final Predicate<String> rollingOut;
  private final Map<String, Instant> aboveSince = new HashMap<>();
  private final Map<String, Instant> belowSince = new HashMap<>();

  ReplicaScaler(ModelReconciler reconciler, Scheduler scheduler) {
    this(reconciler, scheduler, reconciler::rollingOut);
  }

  /** For the tests: whether a model is in a rolling update, without a reconciler. */
  ReplicaScaler(ModelReconciler reconciler, Scheduler scheduler, Predicate<String> rollingOut) {
    this.reconciler = reconciler;
    this.scheduler = scheduler;
    this.rollingOut = rollingOut;
  }

  /** What one look at a model decided; for the tests and the log. */
  enum Decision {
    NONE,
    UP,
    DOWN
  }

  void check(Declarations declarations, List<EngineSnapshot> engines, Instant now) {
    check(declarations, engines, now, ElsewhereActivity.NONE);
  }

  /** One look at every model, counting the other nodes' in-flight requests too (the leader). */
  void check(
      Declarations declarations,
      List<EngineSnapshot> engines,
      Instant now,
      ElsewhereActivity elsewhere) {
    for (ModelDeclaration d : declarations.models()) {
      decide(d, engines, now, elsewhere.inFlight(d.name()));
    }
  }

  synchronized Decision decide(ModelDeclaration d, List<EngineSnapshot> engines, Instant now) {
    return decide(d, engines, now, 0);
  }

  /**
   * @param inFlightElsewhere requests the other nodes have in flight on the model's engines
   */
  synchronized Decision decide(
      ModelDeclaration d, List<EngineSnapshot> engines, Instant now, int inFlightElsewhere) {
    ModelEngines.Counts counts = ModelEngines.count(d.name(), engines);
    List<EngineSnapshot> ready = counts.ready();
    int live = counts.live().size();
    int inFlight = counts.inFlight() + inFlightElsewhere;
    if (ready.isEmpty() || counts.settling() > 0 || rollingOut.test(d.name())) {
      aboveSince.remove(d.name());
      belowSince.remove(d.name());
      return Decision.NONE;
    }
    if (live > d.maxReplicas()) {
      // e.g. max lowered while the engines ran: back within bounds at once, one step at a time
      aboveSince.remove(d.name());
      belowSince.remove(d.name());
      EngineSnapshot surplus =
          counts.live().stream().min(ModelPlanner.LEAST_USEFUL_FIRST).orElseThrow();
      String reason =
          "scale down to "
              + (live - 1)
              + ": above max replicas ("
              + live
              + " of at most "
              + d.maxReplicas()
              + ")";
      scheduler.execute(() -> reconciler.stopIfAboveMax(d, surplus.id(), reason));
      return Decision.DOWN;
    }
    double perEngine = (double) inFlight / ready.size();
    int target = d.targetInFlight();
    String load = inFlight + " in flight on " + ready.size() + " READY engine(s), target " + target;
    if (perEngine > target && live < d.maxReplicas()) {
      belowSince.remove(d.name());
      Instant since = aboveSince.computeIfAbsent(d.name(), n -> now);
      if (Duration.between(since, now).compareTo(UP_AFTER) >= 0) {
        aboveSince.remove(d.name());
        String why =
            "scale up to " + (live + 1) + ": " + load + " for " + UP_AFTER.toSeconds() + " s";
        scheduler.execute(() -> reconciler.tryStart(d, why));
        return Decision.UP;
      }
      return Decision.NONE;
    }
    aboveSince.remove(d.name());
    int floor = Math.max(1, d.minReplicas());
    if (perEngine < target / 2.0 && live > floor) {
      Instant since = belowSince.computeIfAbsent(d.name(), n -> now);
      if (Duration.between(since, now).compareTo(DOWN_AFTER) >= 0) {
        belowSince.remove(d.name());
        EngineSnapshot idlest = ready.stream().min(ModelPlanner.LEAST_USEFUL_FIRST).orElseThrow();
        String reason =
            "scale down to " + (live - 1) + ": " + load + " for " + DOWN_AFTER.toSeconds() + " s";
        scheduler.execute(() -> reconciler.stop(idlest.id(), reason));
        return Decision.DOWN;
      }
      return Decision.NONE;
    }
    belowSince.remove(d.name());
    return Decision.NONE;
  }
}

package io.sage.host.models;

import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import io.sage.host.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Follows the load between {@code replicas.min} and {@code replicas.max}: one more replica when the
 * in-flight requests per READY engine stayed above {@code target_in_flight} for {@link #UP_AFTER},
 * one fewer when they stayed below half of it for {@link #DOWN_AFTER}. One step at a time (nothing
 * while a replica is starting or draining); every decision is in the engine's event reason.
 */
final class ReplicaScaler {
  static final Duration UP_AFTER = Duration.ofSeconds(3);
  static final Duration DOWN_AFTER = Duration.ofSeconds(10);

  private final ModelReconciler reconciler;
  private final Scheduler scheduler;
  private final Map<String, Instant> aboveSince = new HashMap<>();
  private final Map<String, Instant> belowSince = new HashMap<>();

  ReplicaScaler(ModelReconciler reconciler, Scheduler scheduler) {
    this.reconciler = reconciler;
    this.scheduler = scheduler;
  }

  /** What one look at a model decided; for the tests and the log. */
  enum Decision {
    NONE,
    UP,
    DOWN
  }

  void check(Declarations declarations, List<EngineSnapshot> engines, Instant now) {
    for (ModelDeclaration d : declarations.models()) {
      if (d.maxReplicas() > 1) {
        decide(d, engines, now);
      }
    }
  }

  synchronized Decision decide(ModelDeclaration d, List<EngineSnapshot> engines, Instant now) {
    List<EngineSnapshot> ready = new ArrayList<>();
    int live = 0;
    int settling = 0;
    int inFlight = 0;
    for (EngineSnapshot engine : engines) {
      Optional<String[]> owner = ModelPlanner.declaredBy(engine);
      if (owner.isEmpty() || !owner.get()[0].equals(d.name())) {
        continue;
      }
      inFlight += engine.inFlight();
      if (ModelPlanner.live(engine)) {
        live++;
      }
      if (engine.state() == EngineState.READY) {
        ready.add(engine);
      } else if (engine.state() == EngineState.STARTING || engine.state() == EngineState.DRAINING) {
        settling++;
      }
    }
    if (ready.isEmpty() || settling > 0) {
      aboveSince.remove(d.name());
      belowSince.remove(d.name());
      return Decision.NONE;
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
        EngineSnapshot idlest =
            ready.stream().min(Comparator.comparingInt(EngineSnapshot::inFlight)).orElseThrow();
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

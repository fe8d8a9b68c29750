package io.sage.host.models;

import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Room on the GPUs for an on-demand model whose launch found none: the least recently used engine
 * of another model of the same group, READY with nothing in flight and nobody waiting for its
 * model, drains to make room, and the launch is tried again once it has stopped (one engine at a
 * time, until the launch fits). While the group's other engines are busy (requests in flight, still
 * loading, or already draining) the newcomer keeps waiting; when no other engine of the group holds
 * GPUs, there is nothing to give up and the waiting requests get the placement's answer (what was
 * needed, what is free). Engines started by hand and models of other groups are never drained.
 *
 * <p>Not thread-safe: {@link OnDemand} calls it under its lock.
 */
final class GpuRoom {
  /** What a launch that found no room does next. */
  enum Step {
    /** Drain {@link Decision#engine} and try again once it stopped. */
    DRAIN,
    /** Wait: an engine of the group is busy or already on its way out. */
    WAIT,
    /** Answer the waiting requests with the placement's 503: nothing can make room. */
    REFUSE
  }

  /** A step, with the engine to drain for {@link Step#DRAIN}. */
  record Decision(Step step, EngineSnapshot engine) {}

  /** The engine drained for each model that waits for its GPUs to come free. */
  private final Map<String, String> drainedFor = new HashMap<>();

  /** Models waiting for a busy engine of their group to become idle. */
  private final Set<String> waitingForIdle = new HashSet<>();

  /**
   * What to do for {@code d}, whose launch found no room, given the engines now.
   *
   * @param lastUsed when each model was last asked for
   * @param waiting requests waiting for each model
   */
  static Decision decide(
      ModelDeclaration d,
      Declarations declarations,
      List<EngineSnapshot> engines,
      Function<String, Instant> lastUsed,
      ToIntFunction<String> waiting) {
    if (d.group() == null) {
      return new Decision(Step.REFUSE, null);
    }
    EngineSnapshot best = null;
    boolean busy = false;
    Comparator<EngineSnapshot> leastRecentlyUsed =
        Comparator.comparing((EngineSnapshot e) -> lastUsed.apply(model(e)))
            .thenComparing(e -> e.record().createdAt())
            .thenComparing(EngineSnapshot::id);
    for (EngineSnapshot engine : engines) {
      Optional<String[]> owner = ModelPlanner.declaredBy(engine);
      if (owner.isEmpty()
          || owner.get()[0].equals(d.name())
          || engine.record().gpuIds().isEmpty()
          || !sameGroup(d, owner.get()[0], declarations)) {
        continue;
      }
      String model = owner.get()[0];
      if (engine.state() == EngineState.READY
          && engine.inFlight() == 0
          && waiting.applyAsInt(model) == 0) {
        if (best == null || leastRecentlyUsed.compare(engine, best) < 0) {
          best = engine;
        }
      } else if (engine.state() == EngineState.DRAINING || ModelPlanner.live(engine)) {
        busy = true;
      }
    }
    if (best != null) {
      return new Decision(Step.DRAIN, best);
    }
    return new Decision(busy ? Step.WAIT : Step.REFUSE, null);
  }

  /** Remembers the step taken for {@code model}. */
  void took(String model, Decision decision) {
    forget(model);
    switch (decision.step()) {
      case DRAIN -> drainedFor.put(model, decision.engine().id());
      case WAIT -> waitingForIdle.add(model);
      case REFUSE -> {
        // nothing to wait for
      }
    }
  }

  /**
   * Whether {@code d}'s launch should wait still: the engine drained for it is still active, or the
   * group is as busy as when it last found no room. Otherwise the model's state is forgotten and
   * the launch may be tried again.
   */
  boolean holdsBack(
      ModelDeclaration d,
      Declarations declarations,
      List<EngineSnapshot> engines,
      Function<String, Instant> lastUsed,
      ToIntFunction<String> waiting) {
    String drained = drainedFor.get(d.name());
    if (drained != null) {
      for (EngineSnapshot engine : engines) {
        if (engine.id().equals(drained) && engine.state().isActive()) {
          return true;
        }
      }
      forget(d.name());
      return false;
    }
    if (waitingForIdle.contains(d.name())) {
      if (decide(d, declarations, engines, lastUsed, waiting).step() == Step.WAIT) {
        return true;
      }
      forget(d.name());
    }
    return false;
  }

  void forget(String model) {
    drainedFor.remove(model);
    waitingForIdle.remove(model);
  }

  private static String model(EngineSnapshot engine) {
    return ModelPlanner.declaredBy(engine).map(o -> o[0]).orElse("");
  }

  private static boolean sameGroup(ModelDeclaration d, String other, Declarations declarations) {
    return declarations.model(other).map(o -> d.group().equals(o.group())).orElse(false);
  }
}

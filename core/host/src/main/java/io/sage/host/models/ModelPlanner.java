package io.sage.host.models;

import io.sage.host.EngineSnapshot;
import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Compares declarations with the engines that run and says what would make them match: a pure
 * function of its inputs, so {@code plan} and {@code apply} agree and both are unit-tested without
 * engines. Engines without a declaration label (started by hand) are never touched.
 */
public final class ModelPlanner {
  private ModelPlanner() {}

  /** The declared model and revision of an engine, when a declaration launched it. */
  public static Optional<String[]> declaredBy(EngineSnapshot engine) {
    return ModelDeclaration.parseLabel(engine.record().spec().label());
  }

  /** Whether the engine counts as a replica: meant to run and not on its way out. */
  static boolean live(EngineSnapshot engine) {
    EngineState state = engine.state();
    return switch (state) {
      case STARTING, READY -> true;
      case ERROR -> engine.record().desiredState() == DesiredState.RUNNING;
      case DRAINING, STOPPED -> false;
    };
  }

  /**
   * The order in which replicas are given up: not READY yet first, then the least busy, then the
   * oldest (launched first).
   */
  static final Comparator<EngineSnapshot> LEAST_USEFUL_FIRST =
      Comparator.comparing((EngineSnapshot e) -> e.state() == EngineState.READY)
          .thenComparingInt(EngineSnapshot::inFlight)
          .thenComparing(e -> e.record().createdAt())
          .thenComparing(EngineSnapshot::id);

  public static ModelPlan plan(Declarations declarations, List<EngineSnapshot> engines) {
    List<ModelPlan.Action> actions = new ArrayList<>();
    for (EngineSnapshot engine : engines) {
      Optional<String[]> owner = declaredBy(engine);
      if (owner.isPresent() && live(engine) && declarations.model(owner.get()[0]).isEmpty()) {
        actions.add(
            new ModelPlan.Action(
                ModelPlan.Kind.STOP,
                owner.get()[0],
                engine.id(),
                "model '" + owner.get()[0] + "' is no longer declared"));
      }
    }
    for (ModelDeclaration d : declarations.models()) {
      String revision = d.revision();
      List<EngineSnapshot> current = new ArrayList<>();
      List<EngineSnapshot> stale = new ArrayList<>();
      for (EngineSnapshot engine : engines) {
        Optional<String[]> owner = declaredBy(engine);
        if (owner.isEmpty() || !owner.get()[0].equals(d.name()) || !live(engine)) {
          continue;
        }
        (owner.get()[1].equals(revision) ? current : stale).add(engine);
      }
      // replace at most what the (new) max leaves room for; the surplus drains at once, least
      // useful first, so a roll-out runs at most one engine above max (the one starting)
      int replaced = Math.max(0, Math.min(stale.size(), d.maxReplicas() - current.size()));
      stale.sort(LEAST_USEFUL_FIRST);
      List<EngineSnapshot> surplus = stale.subList(0, stale.size() - replaced);
      for (EngineSnapshot old : surplus) {
        actions.add(
            new ModelPlan.Action(
                ModelPlan.Kind.STOP,
                d.name(),
                old.id(),
                "declaration changed and max replicas is "
                    + d.maxReplicas()
                    + " ("
                    + current.size()
                    + " on the new revision, "
                    + replaced
                    + " replaced): not replaced, drained"));
      }
      for (EngineSnapshot old : stale.subList(surplus.size(), stale.size())) {
        actions.add(
            new ModelPlan.Action(
                ModelPlan.Kind.REPLACE,
                d.name(),
                old.id(),
                "declaration changed (revision "
                    + declaredBy(old).get()[1]
                    + " -> "
                    + revision
                    + ")"));
      }
      int running = current.size() + replaced;
      for (int n = running; n < d.minReplicas(); n++) {
        actions.add(
            new ModelPlan.Action(
                ModelPlan.Kind.START,
                d.name(),
                null,
                "below min replicas (" + n + " of " + d.minReplicas() + " running)"));
      }
      if (running > d.maxReplicas()) {
        List<EngineSnapshot> extra = new ArrayList<>(current);
        extra.sort(LEAST_USEFUL_FIRST);
        for (int i = 0; i < running - d.maxReplicas() && i < extra.size(); i++) {
          actions.add(
              new ModelPlan.Action(
                  ModelPlan.Kind.STOP,
                  d.name(),
                  extra.get(i).id(),
                  "above max replicas (" + running + " of at most " + d.maxReplicas() + ")"));
        }
      }
    }
    return new ModelPlan(actions, List.of());
  }
}

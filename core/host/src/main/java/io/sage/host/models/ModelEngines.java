package io.sage.host.models;

import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the engines of one declared model are doing, from a snapshot of all engines. */
final class ModelEngines {
  private ModelEngines() {}

  /**
   * The engines of one model, counted.
   *
   * @param ready its READY engines
   * @param live engines meant to run and not on their way out ({@link ModelPlanner#live})
   * @param settling engines STARTING or DRAINING: a change under way
   * @param inFlight requests in flight on all of them
   */
  record Counts(List<EngineSnapshot> ready, List<EngineSnapshot> live, int settling, int inFlight) {
    Counts {
      ready = List.copyOf(ready);
      live = List.copyOf(live);
    }
  }

  /** Counts the engines the declarations launched for {@code model}. */
  static Counts count(String model, List<EngineSnapshot> engines) {
    List<EngineSnapshot> ready = new ArrayList<>();
    List<EngineSnapshot> live = new ArrayList<>();
    int settling = 0;
    int inFlight = 0;
    for (EngineSnapshot engine : engines) {
      Optional<String[]> owner = ModelPlanner.declaredBy(engine);
      if (owner.isEmpty() || !owner.get()[0].equals(model)) {
        continue;
      }
      inFlight += engine.inFlight();
      if (ModelPlanner.live(engine)) {
        live.add(engine);
      }
      switch (engine.state()) {
        case READY -> ready.add(engine);
        case STARTING, DRAINING -> settling++;
        case ERROR, STOPPED -> {
          // neither serving nor changing
        }
      }
    }
    return new Counts(ready, live, settling, inFlight);
  }

  static boolean hasReady(ModelDeclaration d, List<EngineSnapshot> engines) {
    for (EngineSnapshot engine : engines) {
      if (engine.state() == EngineState.READY
          && engine.record().spec().servedModelName().equals(d.name())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether an engine of the model is STARTING or READY (a failed one is restarted by the next
   * request: with no restart policy, or between its automatic restarts, it would never load).
   */
  static boolean loading(String model, List<EngineSnapshot> engines) {
    for (EngineSnapshot engine : engines) {
      Optional<String[]> owner = ModelPlanner.declaredBy(engine);
      if (owner.isPresent()
          && owner.get()[0].equals(model)
          && (engine.state() == EngineState.STARTING || engine.state() == EngineState.READY)) {
        return true;
      }
    }
    return false;
  }

  static boolean hasLive(String model, List<EngineSnapshot> engines) {
    for (EngineSnapshot engine : engines) {
      Optional<String[]> owner = ModelPlanner.declaredBy(engine);
      if (owner.isPresent() && owner.get()[0].equals(model) && ModelPlanner.live(engine)) {
        return true;
      }
    }
    return false;
  }

  static boolean holdsEngines(String model, List<EngineSnapshot> engines) {
    for (EngineSnapshot engine : engines) {
      Optional<String[]> owner = ModelPlanner.declaredBy(engine);
      if (owner.isPresent()
          && owner.get()[0].equals(model)
          && (ModelPlanner.live(engine) || engine.state() == EngineState.DRAINING)) {
        return true;
      }
    }
    return false;
  }

  static int inFlight(String model, List<EngineSnapshot> engines) {
    int sum = 0;
    for (EngineSnapshot engine : engines) {
      Optional<String[]> owner = ModelPlanner.declaredBy(engine);
      if (owner.isPresent() && owner.get()[0].equals(model)) {
        sum += engine.inFlight();
      }
    }
    return sum;
  }
}

package io.sage.host.models;

import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import java.util.List;
import java.util.Optional;

/** What the engines of one declared model are doing, from a snapshot of all engines. */
final class ModelEngines {
  private ModelEngines() {}

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

package io.sage.host.models;

import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import io.sage.spi.SageException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out plans through the {@link ControlPlane} facade: starts replicas (restarting a stopped
 * engine of the same revision rather than adding one), drains and stops engines, and replaces
 * engines of an old revision one at a time: start the new one, wait for READY, then drain the old
 * one. A new engine that does not become READY stops that model's roll-out; the old engine keeps
 * serving and the reason is kept ({@link #rolloutError}).
 */
final class ModelReconciler {
  static final String ACTOR = "models";
  private static final Logger LOG = LoggerFactory.getLogger(ModelReconciler.class);

  private final ControlPlane controlPlane;
  private final Map<String, CompletableFuture<Void>> rollouts = new ConcurrentHashMap<>();
  private final Map<String, String> rolloutErrors = new ConcurrentHashMap<>();

  ModelReconciler(ControlPlane controlPlane) {
    this.controlPlane = controlPlane;
  }

  /** Starts what the plan says and returns; replacements go on in the background. */
  void apply(ModelPlan plan, Declarations declarations) {
    for (ModelPlan.Action action : plan.actions()) {
      LOG.info("models: {}", action.line());
      switch (action.kind()) {
        case START ->
            declarations.model(action.model()).ifPresent(d -> tryStart(d, action.reason()));
        case STOP -> stop(action.engineId(), action.reason());
        case REPLACE ->
            declarations
                .model(action.model())
                .ifPresent(
                    d ->
                        rollouts.compute(
                            d.name(),
                            (name, previous) ->
                                (previous == null
                                        ? CompletableFuture.<Void>completedFuture(null)
                                        : previous)
                                    .thenCompose(v -> replace(d, action.engineId()))));
      }
    }
  }

  /** Whether replacements of the model are still being carried out. */
  boolean rollingOut(String model) {
    CompletableFuture<Void> rollout = rollouts.get(model);
    return rollout != null && !rollout.isDone();
  }

  /**
   * Stops the engine if the model still runs more than {@code replicas.max} now (the decision was
   * taken on an earlier snapshot, and a plan may have stopped one meanwhile).
   */
  void stopIfAboveMax(ModelDeclaration d, String engineId, String reason) {
    if (ModelEngines.count(d.name(), controlPlane.engines()).live().size() > d.maxReplicas()) {
      stop(engineId, reason);
    }
  }

  /** Why the model's last roll-out stopped, if it did. */
  Optional<String> rolloutError(String model) {
    return Optional.ofNullable(rolloutErrors.get(model));
  }

  /** Starts one replica; empty (and logged) when the launch is refused. */
  Optional<String> tryStart(ModelDeclaration d, String why) {
    try {
      return Optional.of(start(d, why));
    } catch (SageException e) {
      LOG.warn("models: cannot start a replica of {} ({}): {}", d.name(), why, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Starts one replica and returns its engine id, restarting a STOPPED (or failed) engine of the
   * same revision rather than adding one; throws what the launch throws.
   */
  String start(ModelDeclaration d, String why) {
    String actor = ACTOR + " (" + why + ")";
    String revision = d.revision();
    for (EngineSnapshot engine : controlPlane.engines()) {
      Optional<String[]> owner = ModelPlanner.declaredBy(engine);
      if (owner.isPresent()
          && owner.get()[0].equals(d.name())
          && owner.get()[1].equals(revision)
          && (engine.state() == EngineState.STOPPED || engine.state() == EngineState.ERROR)) {
        return controlPlane.restartEngine(engine.id(), actor).id();
      }
    }
    return controlPlane.startEngine(d.startRequest(), actor).id();
  }

  /** Drains and stops the engine; the reason becomes part of its event. */
  CompletableFuture<Void> stop(String engineId, String reason) {
    Duration drain = controlPlane.supervisionConfig().drainTimeout();
    try {
      return controlPlane
          .stopEngine(engineId, true, drain, ACTOR + ": " + reason)
          .thenApply(r -> null);
    } catch (SageException e) {
      LOG.warn("models: cannot stop {} ({}): {}", engineId, reason, e.getMessage());
      return CompletableFuture.completedFuture(null);
    }
  }

  private CompletableFuture<Void> replace(ModelDeclaration d, String oldId) {
    if (controlPlane.findEngine(oldId).filter(ModelPlanner::live).isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    String newId;
    try {
      newId = start(d, "rolling update replacing " + oldId);
    } catch (SageException e) {
      fail(d, "the new engine could not be launched: " + e.getMessage(), oldId);
      return CompletableFuture.completedFuture(null);
    }
    return controlPlane
        .awaitState(newId, state -> state != EngineState.STARTING)
        .thenCompose(
            v -> {
              EngineSnapshot fresh = controlPlane.engine(newId);
              if (fresh.state() == EngineState.READY) {
                rolloutErrors.remove(d.name());
                return stop(oldId, "replaced by " + newId + " (rolling update)");
              }
              String why = fresh.record().lastError();
              fail(
                  d,
                  "new engine "
                      + newId
                      + " went "
                      + fresh.state()
                      + (why == null || why.isBlank() ? "" : ": " + why),
                  oldId);
              if (fresh.state() != EngineState.STOPPED && fresh.state() != EngineState.DRAINING) {
                return stop(newId, "roll-out failed; " + oldId + " keeps serving");
              }
              return CompletableFuture.completedFuture(null);
            });
  }

  private void fail(ModelDeclaration d, String why, String oldId) {
    String message = "roll-out stopped: " + why + "; " + oldId + " keeps serving";
    rolloutErrors.put(d.name(), message);
    LOG.warn("models: {}: {}", d.name(), message);
  }
}

package io.sage.host.models;

import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import io.sage.spi.SageException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

  /** After a start of a model failed, the periodic reconcile leaves its starts alone this long. */
  static final Duration START_BACKOFF = Duration.ofSeconds(15);

  private final ControlPlane controlPlane;
  private final Replicas replicas;
  private final Map<String, CompletableFuture<Void>> rollouts = new ConcurrentHashMap<>();
  private final Map<String, String> rolloutErrors = new ConcurrentHashMap<>();
  private final Map<String, Instant> startFailedAt = new ConcurrentHashMap<>();

  ModelReconciler(ControlPlane controlPlane, Replicas replicas) {
    this.controlPlane = controlPlane;
    this.replicas = replicas;
  }

  Replicas replicas() {
    return replicas;
  }

  /**
   * The leader's periodic pass over the cluster (docs/cluster.md): the plan's actions, except for a
   * model being rolled out (its replacements are under way) and the starts of a model whose last
   * start failed within {@link #START_BACKOFF}.
   */
  void applyPeriodic(ModelPlan plan, Declarations declarations) {
    Instant now = controlPlane.scheduler().now();
    List<ModelPlan.Action> kept = new ArrayList<>();
    for (ModelPlan.Action action : plan.actions()) {
      if (rollingOut(action.model())) {
        continue;
      }
      Instant failed = startFailedAt.get(action.model());
      if (action.kind() == ModelPlan.Kind.START
          && failed != null
          && failed.plus(START_BACKOFF).isAfter(now)) {
        continue;
      }
      kept.add(action);
    }
    if (!kept.isEmpty()) {
      apply(new ModelPlan(kept, List.of()), declarations);
    }
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
    if (ModelEngines.count(d.name(), replicas.engines()).live().size() > d.maxReplicas()) {
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
      startFailedAt.put(d.name(), controlPlane.scheduler().now());
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
    for (EngineSnapshot engine : replicas.engines()) {
      Optional<String[]> owner = ModelPlanner.declaredBy(engine);
      if (owner.isPresent()
          && owner.get()[0].equals(d.name())
          && owner.get()[1].equals(revision)
          && (engine.state() == EngineState.STOPPED || engine.state() == EngineState.ERROR)) {
        return replicas.restart(engine.id(), actor);
      }
    }
    String id = replicas.start(d.startRequest(), actor);
    startFailedAt.remove(d.name());
    return id;
  }

  /** Drains and stops the engine; the reason becomes part of its event. */
  CompletableFuture<Void> stop(String engineId, String reason) {
    Duration drain = controlPlane.supervisionConfig().drainTimeout();
    try {
      return replicas.stop(engineId, true, drain, ACTOR + ": " + reason);
    } catch (SageException e) {
      LOG.warn("models: cannot stop {} ({}): {}", engineId, reason, e.getMessage());
      return CompletableFuture.completedFuture(null);
    }
  }

  private CompletableFuture<Void> replace(ModelDeclaration d, String oldId) {
    if (replicas.find(oldId).filter(ModelPlanner::live).isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    String newId;
    try {
      newId = start(d, "rolling update replacing " + oldId);
    } catch (SageException e) {
      fail(d, "the new engine could not be launched: " + e.getMessage(), oldId);
      return CompletableFuture.completedFuture(null);
    }
    return replicas
        .settled(newId)
        .thenCompose(
            fresh -> {
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

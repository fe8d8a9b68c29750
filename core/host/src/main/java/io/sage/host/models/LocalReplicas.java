package io.sage.host.models;

import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.cluster.ModelActivity;
import io.sage.host.engine.EngineState;
import io.sage.host.management.StartRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** One gateway: the declarations are applied here, to this node's engines (H2, or alone). */
final class LocalReplicas implements Replicas {
  private final ControlPlane controlPlane;

  LocalReplicas(ControlPlane controlPlane) {
    this.controlPlane = controlPlane;
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  public boolean leads() {
    return true;
  }

  @Override
  public List<EngineSnapshot> engines() {
    return controlPlane.engines();
  }

  @Override
  public List<EngineSnapshot> known() {
    return controlPlane.engines();
  }

  @Override
  public Optional<EngineSnapshot> find(String engineId) {
    return controlPlane.findEngine(engineId);
  }

  @Override
  public String start(StartRequest request, String actor) {
    return controlPlane.startEngine(request, actor).id();
  }

  @Override
  public String restart(String engineId, String actor) {
    return controlPlane.restartEngine(engineId, actor).id();
  }

  @Override
  public CompletableFuture<Void> stop(
      String engineId, boolean drain, Duration drainTimeout, String actor) {
    return controlPlane.stopEngine(engineId, drain, drainTimeout, actor).thenApply(r -> null);
  }

  @Override
  public CompletableFuture<EngineSnapshot> settled(String engineId) {
    return controlPlane
        .awaitState(engineId, state -> state != EngineState.STARTING)
        .thenApply(v -> controlPlane.engine(engineId));
  }

  @Override
  public List<ModelActivity> elsewhere() {
    return List.of();
  }

  @Override
  public void publish(List<ModelActivity> rows) {
    // alone: nobody reads it
  }

  @Override
  public Optional<String> nodeId() {
    return Optional.empty();
  }
}

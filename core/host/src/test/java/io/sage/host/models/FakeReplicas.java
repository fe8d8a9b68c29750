package io.sage.host.models;

import io.sage.host.EngineSnapshot;
import io.sage.host.cluster.ModelActivity;
import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineState;
import io.sage.host.management.StartRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cluster of nodes as the declared models see it, by hand: the engines every node runs, whether
 * this node leads, the other nodes' activity; starts and stops are recorded, and a start shows as a
 * STARTING engine of no node yet (a command on its way), as the store's view counts it.
 */
final class FakeReplicas implements Replicas {
  final List<EngineSnapshot> engines = new CopyOnWriteArrayList<>();
  final List<String> started = new CopyOnWriteArrayList<>();
  final List<String> stopped = new CopyOnWriteArrayList<>();
  final List<ModelActivity> elsewhere = new CopyOnWriteArrayList<>();
  final List<List<ModelActivity>> published = new CopyOnWriteArrayList<>();
  volatile boolean leads;
  private int next;

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public boolean leads() {
    return leads;
  }

  @Override
  public List<EngineSnapshot> engines() {
    return List.copyOf(engines);
  }

  @Override
  public List<EngineSnapshot> known() {
    return List.copyOf(engines);
  }

  @Override
  public Optional<EngineSnapshot> find(String engineId) {
    return engines.stream().filter(e -> e.id().equals(engineId)).findFirst();
  }

  @Override
  public synchronized String start(StartRequest request, String actor) {
    String id = "eng-" + String.format("%012d", ++next);
    started.add(request.servedModelName() + " " + actor);
    engines.add(
        ModelFixtures.engine(
            id,
            request.servedModelName(),
            request.label(),
            EngineState.STARTING,
            DesiredState.RUNNING,
            0));
    return id;
  }

  @Override
  public String restart(String engineId, String actor) {
    started.add("restart " + engineId);
    return engineId;
  }

  @Override
  public CompletableFuture<Void> stop(
      String engineId, boolean drain, Duration drainTimeout, String actor) {
    stopped.add(engineId + " " + actor);
    for (EngineSnapshot e : engines) {
      if (e.id().equals(engineId)) {
        engines.set(
            engines.indexOf(e),
            new EngineSnapshot(
                e.record().withState(EngineState.DRAINING, e.record().updatedAt()),
                e.inFlight(),
                e.nodeId()));
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<EngineSnapshot> settled(String engineId) {
    return new CompletableFuture<>();
  }

  @Override
  public List<ModelActivity> elsewhere() {
    return new ArrayList<>(elsewhere);
  }

  @Override
  public void publish(List<ModelActivity> rows) {
    published.add(List.copyOf(rows));
  }

  @Override
  public Optional<String> nodeId() {
    return Optional.of("node-a");
  }
}

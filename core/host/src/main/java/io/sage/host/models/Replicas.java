package io.sage.host.models;

import io.sage.host.EngineSnapshot;
import io.sage.host.cluster.ModelActivity;
import io.sage.host.management.StartRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where the declared models' engines run, and who applies the declarations: this node alone (one
 * gateway, H2: {@link #local}), or the cluster of nodes sharing the store, where only the leader
 * applies them to every node's engines (docs/cluster.md, declared models across the cluster). The
 * declared models reach engines through this port only.
 */
public interface Replicas {

  /** Whether other nodes share the store: then only the leader applies the declarations. */
  boolean shared();

  /** Whether this node applies the declarations now: always when not shared, else while leading. */
  boolean leads();

  /**
   * The engines the declarations count, for deciding: every node's, as the store has them now, with
   * the starts, restarts and stops on their way counted as done (a start written for a node that
   * has not launched it yet is a STARTING engine). Engines of a node that is not up which no longer
   * run (ERROR, STOPPED) are left out: nothing can restart them there.
   */
  List<EngineSnapshot> engines();

  /** The engines this node knows now, its own and the others' as last read (from memory). */
  List<EngineSnapshot> known();

  /** One engine, whichever node runs it, as the store has it. */
  Optional<EngineSnapshot> find(String engineId);

  /** Starts a new engine where placement puts it; returns its id (it may not exist yet). */
  String start(StartRequest request, String actor);

  /** Restarts a STOPPED or ERROR engine on its node; returns its id. */
  String restart(String engineId, String actor);

  /** Drains (when asked) and stops the engine on its node. */
  CompletableFuture<Void> stop(String engineId, boolean drain, Duration drainTimeout, String actor);

  /** Completes with the engine once it is no longer STARTING (READY, ERROR, ...). */
  CompletableFuture<EngineSnapshot> settled(String engineId);

  /** What the other nodes that are up last wrote of the declared models. */
  List<ModelActivity> elsewhere();

  /** Writes what this node saw of the declared models, for the leader. */
  void publish(List<ModelActivity> rows);

  /** This node's id; empty when it is alone. */
  Optional<String> nodeId();

  /** The declared models' engines on this node alone, through its control plane. */
  static Replicas local(io.sage.host.ControlPlane controlPlane) {
    return new LocalReplicas(controlPlane);
  }
}

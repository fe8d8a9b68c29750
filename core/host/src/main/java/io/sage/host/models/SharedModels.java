package io.sage.host.models;

import io.sage.host.EngineSnapshot;
import io.sage.host.cluster.ModelActivity;
import io.sage.host.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The declared models' tick when several nodes share the store (docs/cluster.md, declared models
 * across the cluster). Every node writes what it saw of each model (last request, waiting, in
 * flight) every {@link #PUBLISH}, re-reads the declarations every {@link #REFRESH} (a change made
 * through another node's API or file) and releases its waiting requests once any node's engine of
 * the model is READY. Only the leader acts: it reconciles the declarations with every node's
 * engines, launches for requests waiting on any node, unloads idle models and scales, counting the
 * other nodes' activity with its own.
 */
final class SharedModels {
  static final Duration PUBLISH = Duration.ofSeconds(1);
  static final Duration REFRESH = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(SharedModels.class);

  private final Replicas replicas;
  private final OnDemand demand;
  private final IdleUnload idle;
  private final ReplicaScaler scaler;
  private final Scheduler scheduler;
  private final Runnable refresh;
  private Instant published = Instant.EPOCH;
  private Instant refreshed = Instant.EPOCH;
  private boolean failing;

  SharedModels(
      Replicas replicas,
      OnDemand demand,
      IdleUnload idle,
      ReplicaScaler scaler,
      Scheduler scheduler,
      Runnable refresh) {
    this.replicas = replicas;
    this.demand = demand;
    this.idle = idle;
    this.scaler = scaler;
    this.scheduler = scheduler;
    this.refresh = refresh;
  }

  /** One tick; the caller catches what fails (the database unreachable: the next tick retries). */
  void tick(Declarations declarations) {
    Instant now = scheduler.now();
    if (!now.isBefore(published.plus(PUBLISH))) {
      published = now;
      publish(declarations);
    }
    // another node's engine's transitions are not told to this node's listeners: look
    List<EngineSnapshot> known = replicas.known();
    for (ModelDeclaration d : declarations.models()) {
      if (demand.waiting(d.name()) > 0 && ModelEngines.hasReady(d, known)) {
        demand.releaseAll(d.name());
      }
    }
    if (!now.isBefore(refreshed.plus(REFRESH))) {
      refreshed = now;
      refresh.run();
    }
    if (!replicas.leads()) {
      return;
    }
    List<EngineSnapshot> engines = replicas.engines();
    ElsewhereActivity elsewhere = new ElsewhereActivity(replicas.elsewhere());
    for (ModelDeclaration d : declarations.models()) {
      if (elsewhere.waiting(d.name()) > 0) {
        demand.wakeFor(d);
      }
    }
    idle.check(declarations, engines, now, elsewhere);
    demand.retryPending();
    scaler.check(declarations, engines, now, elsewhere);
  }

  /** Writes this node's activity of every declared model (also at once when requests wait). */
  synchronized void publish(Declarations declarations) {
    Optional<String> node = replicas.nodeId();
    if (node.isEmpty()) {
      return;
    }
    Instant now = scheduler.now();
    List<EngineSnapshot> known = replicas.known();
    List<ModelActivity> rows = new ArrayList<>();
    for (ModelDeclaration d : declarations.models()) {
      rows.add(
          new ModelActivity(
              node.get(),
              d.name(),
              demand.lastUsed(d.name()).orElse(null),
              demand.waiting(d.name()),
              ModelEngines.inFlight(d.name(), known),
              now));
    }
    try {
      replicas.publish(rows);
      if (failing) {
        LOG.info("models: this node's activity is written to the store again");
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.warn("models: cannot write this node's activity, retrying: {}", e.toString());
        failing = true;
      }
    }
  }
}

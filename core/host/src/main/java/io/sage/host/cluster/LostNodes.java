package io.sage.host.cluster;

import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.store.ClusterStore;
import io.sage.host.store.NodeStore;
import io.sage.host.supervision.ProbeResult;
import io.sage.host.supervision.Prober;
import io.sage.host.time.Scheduler;
import io.sage.spi.engine.HealthProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's watch over the engines of nodes that are lost (docs/cluster.md, a node dies). Their
 * own node no longer probes them, so the leader does, every round, with the standard probe of their
 * kind: an engine that fails {@code failureThreshold} probes in a row goes to ERROR (written fenced
 * by the leader's token); one that answers keeps serving and is left alone, for its node to adopt
 * when it comes back. A node silent for {@code goneAfter} is gone for good: its engines go to ERROR
 * with the reason {@code node <id> lost} (a draining one to STOPPED, the end of its drain).
 */
public final class LostNodes {
  private static final Logger LOG = LoggerFactory.getLogger(LostNodes.class);

  private final ClusterStore store;
  private final NodeStore nodes;
  private final Prober prober;
  private final Scheduler scheduler;
  private final String selfId;
  private final Duration lostAfter;
  private final Duration goneAfter;
  private final int failureThreshold;
  private final Duration probeTimeout;
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();

  public LostNodes(
      ClusterStore store,
      NodeStore nodes,
      Prober prober,
      Scheduler scheduler,
      String selfId,
      Duration lostAfter,
      Duration goneAfter,
      int failureThreshold,
      Duration probeTimeout) {
    this.store = store;
    this.nodes = nodes;
    this.prober = prober;
    this.scheduler = scheduler;
    this.selfId = selfId;
    this.lostAfter = lostAfter;
    this.goneAfter = goneAfter;
    this.failureThreshold = failureThreshold;
    this.probeTimeout = probeTimeout;
  }

  /** Forgets the counted failures (this node stopped or started leading). */
  public void reset() {
    failures.clear();
  }

  /**
   * One round: probes the engines of every lost node once (waiting for the probes, at most the
   * probe timeout each), fails those past the threshold, and fails every engine of a gone node.
   *
   * @throws io.sage.host.store.StaleLeaderException when the lease was taken over meanwhile
   */
  public void check(LeaderLease fence) {
    Instant now = scheduler.now();
    Set<String> lost = new HashSet<>();
    Set<String> gone = new HashSet<>();
    for (Node node : nodes.findAll()) {
      if (node.id().equals(selfId) || node.state(now, lostAfter) == NodeState.UP) {
        continue;
      }
      (node.lastSeenAt().plus(goneAfter).isBefore(now) ? gone : lost).add(node.id());
    }
    Map<ClusterEngine, CompletableFuture<ProbeResult>> probes = new LinkedHashMap<>();
    for (ClusterEngine engine : store.engines()) {
      EngineRecord record = engine.record();
      if (!isLive(record.state())) {
        continue;
      }
      if (gone.contains(engine.nodeId())) {
        failGone(fence, engine, now);
      } else if (lost.contains(engine.nodeId()) && record.baseUrl() != null) {
        // every probe at once, so one engine that does not answer delays none of the others
        probes.put(
            engine,
            prober.probe(
                record.baseUrl(),
                HealthProbe.standard(record.spec().kind()),
                record.spec().servedModelName(),
                record.engineApiKey()));
      }
    }
    Set<String> watched = new HashSet<>();
    for (Map.Entry<ClusterEngine, CompletableFuture<ProbeResult>> probe : probes.entrySet()) {
      watched.add(probe.getKey().id());
      judge(fence, probe.getKey(), await(probe.getValue()));
    }
    failures.keySet().retainAll(watched);
  }

  private ProbeResult await(CompletableFuture<ProbeResult> probe) {
    try {
      return probe.get(probeTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      return ProbeResult.failed("probe did not complete: " + e);
    }
  }

  private void failGone(LeaderLease fence, ClusterEngine engine, Instant now) {
    String reason = "node " + engine.nodeId() + " lost";
    EngineState state = engine.record().state();
    boolean changed = store.failEngine(fence, engine.id(), engine.nodeId(), state, reason, now);
    if (changed) {
      LOG.warn(
          "leader {} (token {}): engine {} of node {} {}: {}",
          fence.nodeId(),
          fence.token(),
          engine.id(),
          engine.nodeId(),
          state == EngineState.DRAINING ? "stopped" : "failed",
          reason);
    }
  }

  private void judge(LeaderLease fence, ClusterEngine engine, ProbeResult result) {
    EngineRecord record = engine.record();
    if (result.ok()) {
      failures.remove(engine.id());
      return;
    }
    int failed = failures.merge(engine.id(), 1, Integer::sum);
    if (failed < failureThreshold) {
      return;
    }
    String reason =
        "stopped answering while its node "
            + engine.nodeId()
            + " is lost ("
            + failed
            + " failed probes by the leader; last: "
            + result.detail()
            + ")";
    if (store.failEngine(
        fence, engine.id(), engine.nodeId(), record.state(), reason, scheduler.now())) {
      failures.remove(engine.id());
      LOG.warn(
          "leader {} (token {}): engine {} of lost node {} {}",
          fence.nodeId(),
          fence.token(),
          engine.id(),
          engine.nodeId(),
          reason);
    }
  }

  /** States in which an engine runs (or should): what a lost node leaves unattended. */
  static boolean isLive(EngineState state) {
    return switch (state) {
      case STARTING, READY, DRAINING -> true;
      case STOPPED, ERROR -> false;
    };
  }

  /** For tests: the failures counted per engine. */
  Map<String, Integer> failures() {
    return Map.copyOf(failures);
  }
}

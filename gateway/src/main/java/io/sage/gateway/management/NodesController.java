package io.sage.gateway.management;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.sage.gateway.config.NodeConfig;
import io.sage.host.Cluster;
import io.sage.host.cluster.LeaderLease;
import io.sage.host.cluster.Node;
import io.sage.host.store.NodeStore;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /v1/management/nodes}: the gateways sharing this one's database (docs/cluster.md), as
 * the store has them; {@code lost} for a node whose last heartbeat is older than {@code
 * node.lost-after}; which node leads the cluster and with which fencing token.
 */
@Controller("/v1/management/nodes")
@ExecuteOn(TaskExecutors.BLOCKING)
class NodesController {
  private final NodeStore nodes;
  private final NodeConfig config;
  private final Clock clock;
  private final Cluster cluster;

  NodesController(NodeStore nodes, NodeConfig config, Clock clock, Cluster cluster) {
    this.nodes = nodes;
    this.config = config;
    this.clock = clock;
    this.cluster = cluster;
  }

  @Get
  Map<String, Object> list() {
    Instant now = clock.instant();
    // a lease that ran out names nobody: the next node to try takes it
    Optional<LeaderLease> lease = cluster.leader().filter(l -> l.isValidAt(now));
    String leader = lease.map(LeaderLease::nodeId).orElse(null);
    List<Map<String, Object>> views =
        nodes.findAll().stream().map(n -> view(n, now, leader)).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("self", config.id());
    body.put("leader", leader);
    body.put("leader_token", lease.map(LeaderLease::token).orElse(null));
    body.put("leader_expires_at", lease.map(l -> l.expiresAt().toString()).orElse(null));
    body.put("nodes", views);
    body.put("count", views.size());
    return body;
  }

  private Map<String, Object> view(Node node, Instant now, String leader) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", node.id());
    view.put("address", node.address());
    view.put("version", node.version());
    view.put("state", node.state(now, config.lostAfter()).wireName());
    view.put("self", node.id().equals(config.id()));
    view.put("leader", node.id().equals(leader));
    view.put(
        "gpus",
        node.gpus().stream()
            .map(
                gpu ->
                    Map.<String, Object>of(
                        "index", gpu.index(),
                        "name", gpu.name(),
                        "memory_total_mib", gpu.memoryTotalMib()))
            .toList());
    view.put("started_at", node.startedAt().toString());
    view.put("last_seen_at", node.lastSeenAt().toString());
    view.put(
        "seconds_since_seen",
        Math.max(0, now.getEpochSecond() - node.lastSeenAt().getEpochSecond()));
    return view;
  }
}

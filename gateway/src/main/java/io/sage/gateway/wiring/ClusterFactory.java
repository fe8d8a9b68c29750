package io.sage.gateway.wiring;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.sage.gateway.config.NodeConfig;
import io.sage.host.Cluster;
import io.sage.host.ControlPlane;
import io.sage.host.store.ClusterStore;
import io.sage.host.store.NodeStore;
import io.sage.host.supervision.SupervisionConfig;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Builds the {@link Cluster} facade (leader election, management from any node, placement across
 * nodes, lost nodes) from the node settings; {@link NodeLifecycle} starts it once this node is
 * registered (docs/cluster.md).
 */
@Factory
class ClusterFactory {

  @Singleton
  @Bean(preDestroy = "close")
  Cluster cluster(
      ControlPlane controlPlane,
      ClusterStore store,
      NodeStore nodes,
      Clock clock,
      NodeConfig node,
      SupervisionConfig supervision) {
    return new Cluster(
        controlPlane,
        store,
        nodes,
        clock,
        new Cluster.Settings(
            node.id(),
            node.leaderLease(),
            node.leaderRenewInterval(),
            node.commandPollInterval(),
            node.lostAfter(),
            node.goneAfter(),
            supervision.healthInterval(),
            supervision.failureThreshold(),
            supervision.probeTimeout()));
  }
}

package io.sage.gateway.wiring;

import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.sage.gateway.BuildInfo;
import io.sage.gateway.config.NodeConfig;
import io.sage.host.Cluster;
import io.sage.host.ControlPlane;
import io.sage.host.GpuOverview;
import io.sage.host.NodePresence;
import io.sage.host.cluster.Node;
import io.sage.host.cluster.NodeGpu;
import io.sage.host.store.NodeStore;
import io.sage.spi.gpu.GpuProvider;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this gateway as a node once its server listens (the control plane has started by then,
 * so its GPU provider is known) and heartbeats until shutdown (docs/cluster.md).
 */
@Singleton
class NodeLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(NodeLifecycle.class);

  private final NodeConfig config;
  private final NodeStore store;
  private final ControlPlane controlPlane;
  private final Clock clock;
  private final Cluster cluster;
  private NodePresence presence;

  NodeLifecycle(
      NodeConfig config, NodeStore store, ControlPlane controlPlane, Clock clock, Cluster cluster) {
    this.config = config;
    this.store = store;
    this.controlPlane = controlPlane;
    this.clock = clock;
    this.cluster = cluster;
  }

  @EventListener
  synchronized void onServerStartup(ServerStartupEvent event) {
    String address =
        config.address().isEmpty()
            ? "http://"
                + reachableHost(event.getSource().getHost())
                + ":"
                + event.getSource().getPort()
            : config.address();
    Node self =
        new Node(
            config.id(),
            address,
            BuildInfo.current().version(),
            gpus(controlPlane.gpus()),
            Instant.EPOCH,
            Instant.EPOCH);
    presence = NodePresence.start(store, clock, self, config.heartbeatInterval());
    LOG.info("registered as node {} at {} ({} GPU(s))", self.id(), address, self.gpus().size());
    // registered first: the leader places starts only on nodes it finds in the store
    cluster.start();
  }

  @EventListener
  synchronized void onShutdown(ShutdownEvent event) {
    // the lease goes at once, so another node leads without waiting for it to run out
    cluster.close();
    if (presence != null) {
      presence.close();
    }
  }

  /** The active provider's GPUs; none when there is no provider or it cannot list them. */
  static List<NodeGpu> gpus(GpuOverview overview) {
    Optional<GpuProvider> provider = overview.active();
    if (provider.isEmpty()) {
      return List.of();
    }
    try {
      return provider.get().devices().stream()
          .map(device -> new NodeGpu(device.index(), device.name(), device.memoryTotalMib()))
          .toList();
    } catch (RuntimeException e) {
      LOG.warn(
          "GPU provider {} could not list its GPUs for the node registration: {}",
          provider.get().name(),
          e.getMessage());
      return List.of();
    }
  }

  /** A wildcard bind address is no address to reach: the machine's host name is. */
  static String reachableHost(String bound) {
    if (bound == null
        || bound.isBlank()
        || bound.equals("0.0.0.0")
        || bound.equals("::")
        || bound.equals("[::]")) {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        return "localhost";
      }
    }
    return bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound;
  }
}

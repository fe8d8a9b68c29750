package io.sage.gateway.wiring;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.sage.gateway.config.NodeConfig;
import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.management.StartRequest;
import io.sage.host.store.ClusterChanges;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Startup and shutdown of the control plane from the gateway's events: {@link ControlPlane#start()}
 * (its startup order is written there), then joining the other nodes of the database (their engines
 * are routed to: docs/cluster.md), then optionally the demo engines; at shutdown stop the engines
 * (unless asked to keep them).
 */
@Singleton
class ControlPlaneLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneLifecycle.class);
  static final Instant STARTED = Instant.now();

  private final ControlPlane controlPlane;
  private final ModelsFileWatcher models;
  private final Path dataDir;
  private final boolean demo;
  private final ClusterChanges changes;
  private final NodeConfig node;
  private final String nodeId;

  ControlPlaneLifecycle(
      ControlPlane controlPlane,
      ModelsFileWatcher models,
      ClusterChanges changes,
      NodeConfig node,
      @Value("${sage.node.id:}") @io.micronaut.core.annotation.Nullable String nodeId,
      @Value("${sage.data-dir}") String dataDir,
      @Value("${sage.demo:false}") boolean demo) {
    this.controlPlane = controlPlane;
    this.changes = changes;
    this.node = node;
    this.nodeId = nodeId == null ? "" : nodeId.trim();
    this.models = models;
    this.dataDir = Path.of(dataDir);
    this.demo = demo;
  }

  @EventListener
  void onStartup(StartupEvent event) {
    controlPlane.start();
    if (!nodeId.isBlank()) {
      controlPlane.joinCluster(nodeId, changes, node.refreshInterval());
    }
    try {
      models.start();
    } catch (RuntimeException e) {
      LOG.error("declared models could not be applied: {}", e.getMessage(), e);
    }
    if (demo) {
      try {
        startDemoEngines();
      } catch (RuntimeException e) {
        LOG.error("demo engines could not be started: {}", e.getMessage());
      }
    }
    LOG.info(
        "control plane ready: {} engine(s) in registry, data dir {}",
        controlPlane.engines().size(),
        dataDir);
  }

  private void startDemoEngines() {
    boolean hasChat = false;
    boolean hasEmbedding = false;
    for (EngineSnapshot entry : controlPlane.engines()) {
      if ("demo".equals(entry.record().spec().label())) {
        hasChat |= entry.record().spec().kind() == io.sage.spi.engine.EngineKind.LLM;
        hasEmbedding |= entry.record().spec().kind() == io.sage.spi.engine.EngineKind.EMBEDDING;
      }
    }
    if (!hasChat) {
      controlPlane.startEngine(
          new StartRequest(
              "demo-chat",
              "llm",
              "mock",
              null,
              null,
              null,
              false,
              null,
              "demo",
              List.of(),
              Map.of("tokens_per_second", "50")),
          "demo");
    }
    if (!hasEmbedding) {
      boolean onnx = controlPlane.hasRuntime("embedding");
      controlPlane.startEngine(
          new StartRequest(
              onnx ? "sentence-transformers/all-MiniLM-L6-v2" : "demo-embedding",
              "embedding",
              onnx ? "embedding" : "mock",
              null,
              null,
              null,
              false,
              null,
              "demo",
              List.of(),
              Map.of()),
          "demo");
    }
  }

  @EventListener
  void onShutdown(ShutdownEvent event) {
    Path flag = GatewayPaths.keepEnginesFlag(dataDir);
    boolean keep = Files.exists(flag);
    try {
      Files.deleteIfExists(flag);
    } catch (java.io.IOException e) {
      LOG.warn("could not remove {}", flag);
    }
    LOG.info(
        "gateway shutting down; {}",
        keep ? "engines keep running for adoption" : "stopping engines");
    Duration drain = controlPlane.supervisionConfig().drainTimeout();
    controlPlane.stop(
        keep, drain.compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : drain);
  }
}

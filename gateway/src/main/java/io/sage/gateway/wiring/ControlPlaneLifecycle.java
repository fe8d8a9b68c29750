package io.sage.gateway.wiring;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.management.EngineManager;
import io.sage.host.management.StartRequest;
import io.sage.host.plugin.PluginHost;
import io.sage.host.supervision.EngineSupervisor;
import io.sage.host.supervision.Reconciler;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Startup and shutdown of the control plane: load plugins, load the registry, reconcile it with the
 * processes that still run, start supervision, optionally start the demo engines; at shutdown stop
 * the engines (unless asked to keep them).
 */
@Singleton
class ControlPlaneLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneLifecycle.class);
  static final Instant STARTED = Instant.now();

  private final PluginHost plugins;
  private final EngineRegistry registry;
  private final Reconciler reconciler;
  private final EngineSupervisor supervisor;
  private final EngineManager manager;
  private final Path dataDir;
  private final boolean demo;
  private final ScheduledExecutorService housekeeping =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sage-housekeeping");
            t.setDaemon(true);
            return t;
          });

  ControlPlaneLifecycle(
      PluginHost plugins,
      EngineRegistry registry,
      Reconciler reconciler,
      EngineSupervisor supervisor,
      EngineManager manager,
      @Value("${sage.data-dir}") String dataDir,
      @Value("${sage.demo:false}") boolean demo) {
    this.plugins = plugins;
    this.registry = registry;
    this.reconciler = reconciler;
    this.supervisor = supervisor;
    this.manager = manager;
    this.dataDir = Path.of(dataDir);
    this.demo = demo;
  }

  @EventListener
  void onStartup(StartupEvent event) {
    plugins.start();
    plugins.errors().forEach((id, error) -> LOG.warn("plugin {} failed: {}", id, error));
    registry.load();
    manager.restoreGpuReservations();
    reconciler.reconcile();
    supervisor.start();
    housekeeping.scheduleWithFixedDelay(supervisor::rotateLogs, 30, 30, TimeUnit.SECONDS);
    if (demo) {
      try {
        startDemoEngines();
      } catch (RuntimeException e) {
        LOG.error("demo engines could not be started: {}", e.getMessage());
      }
    }
    LOG.info(
        "control plane ready: {} engine(s) in registry, data dir {}",
        registry.all().length,
        dataDir);
  }

  private void startDemoEngines() {
    boolean hasChat = false;
    boolean hasEmbedding = false;
    for (EngineEntry entry : registry.all()) {
      if ("demo".equals(entry.record().spec().label())) {
        hasChat |= entry.record().spec().kind() == io.sage.spi.engine.EngineKind.LLM;
        hasEmbedding |= entry.record().spec().kind() == io.sage.spi.engine.EngineKind.EMBEDDING;
      }
    }
    if (!hasChat) {
      manager.start(
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
      boolean onnx = plugins.findRuntime("embedding").isPresent();
      manager.start(
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
    housekeeping.shutdownNow();
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
    supervisor.shutdown(
        keep,
        supervisor.config().drainTimeout().compareTo(Duration.ofSeconds(30)) > 0
            ? Duration.ofSeconds(30)
            : supervisor.config().drainTimeout());
  }
}

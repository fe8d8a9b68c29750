package io.sage.gateway.wiring;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.gpu.ActiveGpuProvider;
import io.sage.host.gpu.GpuReservations;
import io.sage.host.management.EngineManager;
import io.sage.host.management.SelfAddresses;
import io.sage.host.plugin.PluginHost;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.process.ProcessLauncher;
import io.sage.host.routing.EngineRouter;
import io.sage.host.store.EngineStore;
import io.sage.host.supervision.EngineSupervisor;
import io.sage.host.supervision.Reconciler;
import io.sage.host.supervision.SupervisionConfig;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds the control plane (core/host, free of Micronaut) from the gateway's configuration. */
@Factory
class ControlPlaneFactory {

  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }

  @Singleton
  @Bean(preDestroy = "close")
  PluginHost pluginHost(
      @Value("${sage.data-dir}") String dataDir,
      @Value("${sage.plugins-dirs:}") List<String> extraPluginDirs) {
    return new PluginHost(GatewayPaths.pluginRoots(Path.of(dataDir), extraPluginDirs));
  }

  @Singleton
  EngineRegistry registry(EngineStore store, Clock clock) {
    return new EngineRegistry(store, clock);
  }

  @Singleton
  EngineLogs engineLogs(
      @Value("${sage.data-dir}") String dataDir,
      @Value("${sage.engines.log-max-bytes:10485760}") long maxBytes) {
    return new EngineLogs(Path.of(dataDir).resolve("engines"), maxBytes, 3);
  }

  @Singleton
  PortAllocator ports(
      @Value("${sage.engines.port-range-start:41000}") int first,
      @Value("${sage.engines.port-range-end:41999}") int last,
      @Value("${micronaut.server.port:8000}") int gatewayPort,
      @Value("${sage.engines.host:127.0.0.1}") String engineHost) {
    return new PortAllocator(first, last, Set.of(gatewayPort), engineHost);
  }

  @Singleton
  SupervisionConfig supervisionConfig(
      @Value("${sage.health.interval:5s}") Duration interval,
      @Value("${sage.health.starting-interval:250ms}") Duration startingInterval,
      @Value("${sage.health.timeout:2s}") Duration timeout,
      @Value("${sage.health.failure-threshold:3}") int threshold,
      @Value("${sage.startup-timeout.vllm:900s}") Duration vllmStartup,
      @Value("${sage.startup-timeout.embedding:120s}") Duration embeddingStartup,
      @Value("${sage.startup-timeout.mock:30s}") Duration mockStartup,
      @Value("${sage.drain.timeout:30s}") Duration drainTimeout,
      @Value("${sage.stop.grace-period:10s}") Duration grace,
      @Value("${sage.restart.backoff-initial:1s}") Duration backoffInitial,
      @Value("${sage.restart.backoff-max:60s}") Duration backoffMax,
      @Value("${sage.restart.max-restarts:5}") int maxRestarts,
      @Value("${sage.restart.window:10m}") Duration window) {
    Map<String, Duration> startup = new HashMap<>();
    startup.put("vllm", vllmStartup);
    startup.put("embedding", embeddingStartup);
    startup.put("mock", mockStartup);
    return new SupervisionConfig(
        interval,
        startingInterval,
        timeout,
        threshold,
        startup,
        drainTimeout,
        grace,
        backoffInitial,
        backoffMax,
        maxRestarts,
        window);
  }

  @Singleton
  @Bean(preDestroy = "close")
  EngineSupervisor supervisor(
      EngineRegistry registry,
      PluginHost plugins,
      EngineLogs logs,
      PortAllocator ports,
      SupervisionConfig config) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new EngineSupervisor(
        registry, plugins, new ProcessLauncher(), logs, ports, config, java);
  }

  @Singleton
  Reconciler reconciler(
      EngineRegistry registry, EngineSupervisor supervisor, PortAllocator ports, EngineLogs logs) {
    return new Reconciler(registry, supervisor, new ProcessLauncher(), ports, logs);
  }

  @Singleton
  EngineRouter router(EngineRegistry registry) {
    return new EngineRouter(registry);
  }

  /** The GPU provider in charge: {@code gpu.provider} (env GPU_PROVIDER), else by priority. */
  @Singleton
  ActiveGpuProvider gpuProvider(PluginHost plugins, @Value("${gpu.provider:}") String configured) {
    return new ActiveGpuProvider(plugins::gpuProviders, configured);
  }

  @Singleton
  GpuReservations gpuReservations() {
    return new GpuReservations();
  }

  @Singleton
  EngineManager manager(
      EngineRegistry registry,
      EngineSupervisor supervisor,
      PluginHost plugins,
      PortAllocator ports,
      ActiveGpuProvider gpus,
      GpuReservations reservations,
      @Value("${sage.engines.host:127.0.0.1}") String engineHost,
      @Value("${micronaut.server.port:8000}") int gatewayPort) {
    SelfAddresses self = new SelfAddresses(gatewayPort);
    return new EngineManager(
        registry, supervisor, plugins, ports, engineHost, self, gpus, reservations);
  }
}

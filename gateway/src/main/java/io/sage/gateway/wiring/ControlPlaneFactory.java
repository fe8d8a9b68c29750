package io.sage.gateway.wiring;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.sage.gateway.config.DrainConfig;
import io.sage.gateway.config.EnginesConfig;
import io.sage.gateway.config.GpuConfig;
import io.sage.gateway.config.HealthConfig;
import io.sage.gateway.config.RestartConfig;
import io.sage.gateway.config.StartupTimeoutConfig;
import io.sage.gateway.config.StopConfig;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.gpu.ActiveGpuProvider;
import io.sage.host.gpu.GpuReservations;
import io.sage.host.management.EngineManager;
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
import java.util.List;
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
  EngineLogs engineLogs(@Value("${sage.data-dir}") String dataDir, EnginesConfig engines) {
    return new EngineLogs(Path.of(dataDir).resolve("engines"), engines.logMaxBytes(), 3);
  }

  @Singleton
  PortAllocator ports(EnginesConfig engines, @Value("${micronaut.server.port}") int gatewayPort) {
    return new PortAllocator(
        engines.portRangeStart(), engines.portRangeEnd(), Set.of(gatewayPort), engines.host());
  }

  @Singleton
  SupervisionConfig supervisionConfig(
      HealthConfig health,
      StartupTimeoutConfig startup,
      DrainConfig drain,
      StopConfig stop,
      RestartConfig restart) {
    return new SupervisionConfig(
        health.interval(),
        health.startingInterval(),
        health.timeout(),
        health.failureThreshold(),
        startup.byRuntime(),
        drain.timeout(),
        stop.gracePeriod(),
        restart.backoffInitial(),
        restart.backoffMax(),
        restart.maxRestarts(),
        restart.window());
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
  ActiveGpuProvider gpuProvider(PluginHost plugins, GpuConfig gpu) {
    return new ActiveGpuProvider(plugins::gpuProviders, gpu.provider());
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
      EnginesConfig engines,
      @Value("${micronaut.server.port}") int gatewayPort) {
    String engineHost = engines.host();
    Set<String> self =
        Set.of(
            "127.0.0.1:" + gatewayPort,
            "localhost:" + gatewayPort,
            "0.0.0.0:" + gatewayPort,
            "[::1]:" + gatewayPort,
            "::1:" + gatewayPort);
    return new EngineManager(
        registry, supervisor, plugins, ports, engineHost, self, gpus, reservations);
  }
}

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
import io.sage.host.ControlPlane;
import io.sage.host.ControlPlaneEnvironment;
import io.sage.host.ControlPlaneSettings;
import io.sage.host.management.SelfAddresses;
import io.sage.host.store.EngineStore;
import io.sage.host.supervision.SupervisionConfig;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Builds the control plane (core/host, free of Micronaut) from the gateway's configuration. The
 * gateway reaches it through the {@link ControlPlane} facade only.
 */
@Factory
class ControlPlaneFactory {

  @Singleton
  Clock clock() {
    return Clock.systemUTC();
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
  ControlPlaneSettings controlPlaneSettings(
      SupervisionConfig supervision,
      EnginesConfig engines,
      GpuConfig gpu,
      @Value("${sage.data-dir}") String dataDir,
      @Value("${sage.plugins-dirs:}") List<String> extraPluginDirs,
      @Value("${micronaut.server.port:8000}") int gatewayPort) {
    // every local address with the gateway's port is this gateway (resolved, not spelled)
    SelfAddresses self = new SelfAddresses(gatewayPort);
    return new ControlPlaneSettings(
        GatewayPaths.pluginRoots(Path.of(dataDir), extraPluginDirs),
        Path.of(dataDir).resolve("engines"),
        engines.logMaxBytes(),
        3,
        engines.portRangeStart(),
        engines.portRangeEnd(),
        engines.host(),
        self,
        Set.of(gatewayPort),
        gpu.provider(),
        supervision);
  }

  /** The GPU provider in charge is {@code gpu.provider} (env GPU_PROVIDER), else by priority. */
  @Singleton
  @Bean(preDestroy = "close")
  ControlPlane controlPlane(ControlPlaneSettings settings, EngineStore store, Clock clock) {
    return new ControlPlane(
        settings,
        store,
        ControlPlaneEnvironment.system(clock, settings.supervision().probeTimeout()));
  }
}

package io.sage.gateway.wiring;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.sage.host.ControlPlane;
import io.sage.host.ControlPlaneEnvironment;
import io.sage.host.ControlPlaneSettings;
import io.sage.host.management.SelfAddresses;
import io.sage.host.store.EngineStore;
import io.sage.host.supervision.SupervisionConfig;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  ControlPlaneSettings controlPlaneSettings(
      SupervisionConfig supervision,
      @Value("${sage.data-dir}") String dataDir,
      @Value("${sage.plugins-dirs:}") List<String> extraPluginDirs,
      @Value("${sage.engines.log-max-bytes:10485760}") long logMaxBytes,
      @Value("${sage.engines.port-range-start:41000}") int firstPort,
      @Value("${sage.engines.port-range-end:41999}") int lastPort,
      @Value("${micronaut.server.port:8000}") int gatewayPort,
      @Value("${sage.engines.host:127.0.0.1}") String engineHost,
      @Value("${gpu.provider:}") String gpuProvider) {
    // every local address with the gateway's port is this gateway (resolved, not spelled)
    SelfAddresses self = new SelfAddresses(gatewayPort);
    return new ControlPlaneSettings(
        GatewayPaths.pluginRoots(Path.of(dataDir), extraPluginDirs),
        Path.of(dataDir).resolve("engines"),
        logMaxBytes,
        3,
        firstPort,
        lastPort,
        engineHost,
        self,
        Set.of(gatewayPort),
        gpuProvider,
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

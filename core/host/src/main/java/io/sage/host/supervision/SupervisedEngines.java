package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.HostOptions;
import io.sage.spi.engine.EngineRuntimeFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * The supervision state of every engine, and the one place its settings are worked out: the
 * engine's host options first, then the gateway's config, then the runtime's own defaults.
 */
final class SupervisedEngines {
  private static final Duration REMOTE_STARTUP_TIMEOUT = Duration.ofSeconds(60);

  private final SupervisionConfig config;
  private final DoubleSupplier jitter;
  private final Map<String, SupervisedEngine> engines = new ConcurrentHashMap<>();
  private volatile boolean closing;

  SupervisedEngines(SupervisionConfig config, DoubleSupplier jitter) {
    this.config = config;
    this.jitter = jitter;
  }

  SupervisionConfig config() {
    return config;
  }

  SupervisedEngine of(EngineEntry entry) {
    return engines.computeIfAbsent(
        entry.id(), id -> new SupervisedEngine(entry, config, new RestartPolicy(config, jitter)));
  }

  void forget(String engineId) {
    engines.remove(engineId);
  }

  /** True once the gateway is shutting down: no more launches, restarts or failure handling. */
  boolean closing() {
    return closing;
  }

  void setClosing(boolean closing) {
    this.closing = closing;
  }

  /**
   * Sets the health settings and the startup timeout for the next run of the engine; {@code
   * factory} is null for remote engines and for adopted engines whose runtime is gone.
   */
  void configure(SupervisedEngine engine, EngineRuntimeFactory factory) {
    HostOptions options = engine.entry.hostOptions();
    engine.job = false;
    engine.jobRunningSince = null;
    engine.healthInterval = options.healthInterval().orElse(config.healthInterval());
    engine.failureThreshold = options.failureThreshold().orElse(config.failureThreshold());
    String runtime = engine.entry.record().spec().runtime();
    Duration runtimeDefault =
        factory != null
            ? factory.startupTimeout()
            : config.startupTimeouts().getOrDefault("remote", REMOTE_STARTUP_TIMEOUT);
    engine.startupTimeout =
        options
            .startupTimeout()
            .orElse(config.startupTimeouts().getOrDefault(runtime, runtimeDefault));
  }
}

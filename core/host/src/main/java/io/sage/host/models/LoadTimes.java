package io.sage.host.models;

import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import io.sage.host.store.ModelStore;
import io.sage.host.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a declared model takes to load: its recorded load times (table {@code model_loads}), the
 * {@code Retry-After} computed from them, and how long a request may wait for a load.
 */
final class LoadTimes {
  private static final Logger LOG = LoggerFactory.getLogger(LoadTimes.class);

  /** A backstop only: the health monitor's startup timeout fails a load first. */
  private static final Duration DEFAULT_WAIT = Duration.ofMinutes(15);

  private final ControlPlane controlPlane;
  private final Scheduler scheduler;
  private final ModelStore store;

  LoadTimes(ControlPlane controlPlane, Scheduler scheduler, ModelStore store) {
    this.controlPlane = controlPlane;
    this.scheduler = scheduler;
    this.store = store;
  }

  /** Records that an engine of {@code model} took {@code millis} to become READY. */
  void record(String model, long millis, Instant at) {
    try {
      store.recordLoad(model, millis, at);
    } catch (RuntimeException e) {
      LOG.warn("models: load time of {} not recorded: {}", model, e.getMessage());
    }
  }

  /**
   * Seconds until a retry has a chance: the mean recorded load time less the time loading so far.
   */
  long retryAfter(ModelDeclaration d, List<EngineSnapshot> engines) {
    List<Long> loads;
    try {
      loads = store.recentLoads(d.name(), 5);
    } catch (RuntimeException e) {
      loads = List.of();
    }
    long expectedMs =
        loads.isEmpty()
            ? 10_000
            : (long) loads.stream().mapToLong(Long::longValue).average().orElse(10_000);
    long elapsedMs = 0;
    for (EngineSnapshot engine : engines) {
      if (engine.record().spec().servedModelName().equals(d.name())
          && engine.state() == EngineState.STARTING) {
        elapsedMs =
            Math.max(
                elapsedMs,
                Duration.between(engine.record().stateSince(), scheduler.now()).toMillis());
      }
    }
    return Math.max(1, (expectedMs - elapsedMs + 999) / 1000);
  }

  Duration waitLimit(ModelDeclaration d) {
    String own = d.options().get("startup_timeout_s");
    if (own != null) {
      try {
        return Duration.ofSeconds(Long.parseLong(own.trim()) + 5);
      } catch (NumberFormatException e) {
        // the host refuses such an option at launch
      }
    }
    Duration configured = controlPlane.supervisionConfig().startupTimeouts().get(d.runtime());
    return configured != null ? configured.plusSeconds(5) : DEFAULT_WAIT;
  }
}

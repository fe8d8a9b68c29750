package io.sage.gateway.observability;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineListener;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.ProbeObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Per-engine meters: one 0/1 gauge per state, consecutive health failures, restarts, in-flight
 * requests (read from the registry's live entries when scraped), health-check latency (from the
 * supervisor's probes) and the time from STARTING to READY (from transitions). Meters of an engine
 * that was purged are removed, so the label set follows the registry.
 */
@Context
@Requires(property = MetricsFactory.ENABLED, notEquals = "false")
final class EngineMetrics implements EngineListener, ProbeObserver {
  private static final Duration[] STARTUP_BUCKETS = {
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofSeconds(120),
    Duration.ofSeconds(300),
    Duration.ofSeconds(600),
    Duration.ofSeconds(900)
  };
  private static final Duration[] PROBE_BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5)
  };

  private final MeterRegistry meters;
  private final ControlPlane engines;
  private final Map<String, List<Meter>> registered = new ConcurrentHashMap<>();
  private final Map<String, Instant> startingSince = new ConcurrentHashMap<>();

  EngineMetrics(MeterRegistry meters, ControlPlane engines) {
    this.meters = meters;
    this.engines = engines;
    engines.addListener(this);
    engines.setProbeObserver(this);
  }

  @Override
  public void onTransition(EngineRecord entry, EngineEvent event) {
    track(entry);
    String id = entry.id();
    if (event.to() == EngineState.STARTING) {
      startingSince.put(id, event.at());
    } else if (event.to() == EngineState.READY && event.from() == EngineState.STARTING) {
      Instant since = startingSince.remove(id);
      if (since != null) {
        Timer.builder("sage.engine.startup.duration")
            .description("Time engines spent STARTING before READY")
            .tags("model", model(entry), "runtime", entry.spec().runtime())
            .serviceLevelObjectives(STARTUP_BUCKETS)
            .register(meters)
            .record(Duration.between(since, event.at()));
      }
    } else {
      startingSince.remove(id);
    }
  }

  @Override
  public void onProbe(EngineRecord entry, boolean ok, long nanos) {
    Timer.builder("sage.engine.health.check.duration")
        .description("Readiness and health probe latency")
        .tags("engine_id", entry.id(), "model", model(entry), "result", ok ? "ok" : "failed")
        .serviceLevelObjectives(PROBE_BUCKETS)
        .register(meters)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Brings the engine gauges in line with the registry; called before each scrape. */
  void refresh() {
    Set<String> present = new HashSet<>();
    for (EngineSnapshot entry : engines.engines()) {
      present.add(entry.id());
      track(entry.record());
    }
    for (String id : List.copyOf(registered.keySet())) {
      if (!present.contains(id)) {
        List<Meter> gone = registered.remove(id);
        if (gone != null) {
          gone.forEach(meters::remove);
        }
        meters
            .find("sage.engine.health.check.duration")
            .tag("engine_id", id)
            .meters()
            .forEach(meters::remove);
        startingSince.remove(id);
      }
    }
  }

  private void track(EngineRecord entry) {
    registered.computeIfAbsent(entry.id(), id -> register(entry));
  }

  private List<Meter> register(EngineRecord entry) {
    String id = entry.id();
    Tags tags = Tags.of("engine_id", id, "model", model(entry));
    List<Meter> list = new ArrayList<>();
    for (EngineState state : EngineState.values()) {
      list.add(
          Gauge.builder("sage.engine.state", engines, cp -> stateOf(cp, id) == state ? 1 : 0)
              .description("1 for the engine's current state, 0 for the others")
              .tags(tags)
              .tag("state", state.name())
              .strongReference(true)
              .register(meters));
    }
    list.add(
        Gauge.builder(
                "sage.engine.consecutive.health.failures",
                engines,
                cp ->
                    cp.findEngine(id).map(e -> e.record().health().consecutiveFailures()).orElse(0))
            .description("Failed health checks in a row")
            .tags(tags)
            .strongReference(true)
            .register(meters));
    list.add(
        Gauge.builder("sage.engine.in.flight.requests", engines, cp -> cp.inFlight(id))
            .description("Requests sent to the engine and not finished")
            .tags(tags)
            .strongReference(true)
            .register(meters));
    list.add(
        FunctionCounter.builder(
                "sage.engine.restarts",
                engines,
                cp -> cp.findEngine(id).map(e -> e.record().restartCount()).orElse(0))
            .description("Automatic and manual restarts of the engine")
            .tags(tags)
            .register(meters));
    if (entry.state() == EngineState.STARTING) {
      startingSince.putIfAbsent(id, entry.stateSince());
    }
    return list;
  }

  private static String model(EngineRecord entry) {
    return entry.spec().servedModelName();
  }

  private static EngineState stateOf(ControlPlane controlPlane, String id) {
    return controlPlane.findEngine(id).map(EngineSnapshot::state).orElse(null);
  }
}

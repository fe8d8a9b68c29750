package io.sage.gateway.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Requires;
import io.sage.gateway.config.MetricsConfig;
import io.sage.gateway.openai.ProxyCall;
import io.sage.gateway.openai.ProxyListener;
import io.sage.gateway.openai.ProxyOutcome;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request metrics from the proxy's callbacks: counts, latency, time to first byte of streams,
 * retries and failovers, bytes, and tokens from the response's {@code usage} (kept by {@link
 * UsageTap}). Labels are routes, model names and engine ids only; a model name the gateway does not
 * know becomes {@code unknown} so that clients cannot grow the label set.
 */
@Singleton
@Requires(property = MetricsFactory.ENABLED, notEquals = "false")
final class RequestMetrics implements ProxyListener {
  static final String UNKNOWN_MODEL = "unknown";
  static final String NO_ENGINE = "none";
  private static final String LAST_RETRY = "sage.metrics.last-retry";
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofSeconds(120),
    Duration.ofSeconds(300)
  };

  private final MeterRegistry registry;
  private final boolean tokens;

  RequestMetrics(MeterRegistry registry, MetricsConfig config) {
    this.registry = registry;
    this.tokens = config.tokens();
  }

  @Override
  public void onRetry(ProxyCall call, String engineId, String reason) {
    String kind = RetryReasons.classify(reason);
    call.attributes().put(LAST_RETRY, kind);
    Counter.builder("sage.request.retries")
        .description("Attempts that failed before any byte and were retried")
        .tags("model", call.model(), "engine_id", engineId, "reason", kind)
        .register(registry)
        .increment();
  }

  @Override
  public void onEnd(ProxyCall call, ProxyOutcome outcome) {
    long now = System.nanoTime();
    String engine = outcome.engineId() == null ? NO_ENGINE : outcome.engineId();
    String model =
        outcome.engineId() == null && outcome.status() == 404 ? UNKNOWN_MODEL : call.model();
    String route = RouteLabels.of(call.route());
    // meters are looked up once per label set and cached: no builder, tag sorting or key string
    // per request (three nested lookups by the label values themselves)
    Meters meters =
        byLabels
            .computeIfAbsent(route, r -> new ConcurrentHashMap<>())
            .computeIfAbsent(model, m -> new ConcurrentHashMap<>())
            .computeIfAbsent(engine, e -> new Meters(route, model, engine));
    meters.requests(statusClass(outcome.status())).increment();
    meters.duration.record(now - call.startNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    if (call.stream() && call.firstByteNanos() != 0) {
      meters.firstByte.record(
          call.firstByteNanos() - call.startNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    long in = call.request().getContentLength();
    if (in > 0) {
      meters.requestBytes.increment(in);
    }
    if (call.bytesOut() > 0) {
      meters.responseBytes.increment(call.bytesOut());
    }
    Object lastRetry = call.attributes().get(LAST_RETRY);
    if (lastRetry != null && outcome.engineId() != null && outcome.status() < 500) {
      Counter.builder("sage.request.failovers")
          .description("Requests served by another engine after a failed attempt")
          .tags("model", model, "reason", lastRetry.toString())
          .register(registry)
          .increment();
    }
    if (tokens && outcome.status() == 200 && outcome.completed()) {
      UsageTail.of(call)
          .ifPresent(
              usage -> {
                meters.promptTokens.increment(usage.promptTokens());
                meters.completionTokens.increment(usage.completionTokens());
              });
    }
  }

  /** route → model → engine → meters. */
  private final ConcurrentHashMap<
          String, ConcurrentHashMap<String, ConcurrentHashMap<String, Meters>>>
      byLabels = new ConcurrentHashMap<>();

  /** The meters of one (route, model, engine) label set. */
  private final class Meters {
    private final String route;
    private final String model;
    private final String engine;
    private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
    final Timer duration;
    final Timer firstByte;
    final Counter requestBytes;
    final Counter responseBytes;
    final Counter promptTokens;
    final Counter completionTokens;

    Meters(String route, String model, String engine) {
      this.route = route;
      this.model = model;
      this.engine = engine;
      duration =
          Timer.builder("sage.request.duration")
              .description("Time from the request to the end of its response")
              .tags("route", route, "model", model, "engine_id", engine)
              .serviceLevelObjectives(LATENCY_BUCKETS)
              .register(registry);
      firstByte =
          Timer.builder("sage.request.first.byte")
              .description("Time to the first response byte (first token) of streams")
              .tags("route", route, "model", model, "engine_id", engine)
              .serviceLevelObjectives(LATENCY_BUCKETS)
              .register(registry);
      requestBytes =
          Counter.builder("sage.request.bytes")
              .baseUnit("bytes")
              .description("Request body bytes received")
              .tags("route", route, "model", model)
              .register(registry);
      responseBytes =
          Counter.builder("sage.response.bytes")
              .baseUnit("bytes")
              .description("Response body bytes relayed")
              .tags("route", route, "model", model)
              .register(registry);
      promptTokens =
          Counter.builder("sage.prompt.tokens")
              .description("Prompt tokens reported by the engines' usage")
              .tags("model", model)
              .register(registry);
      completionTokens =
          Counter.builder("sage.completion.tokens")
              .description("Completion tokens reported by the engines' usage")
              .tags("model", model)
              .register(registry);
    }

    Counter requests(String status) {
      return requests.computeIfAbsent(
          status,
          s ->
              Counter.builder("sage.requests")
                  .description("Inference requests by route, model, engine and status class")
                  .tags("route", route, "model", model, "engine_id", engine, "status", s)
                  .register(registry));
    }
  }

  static String statusClass(int status) {
    return status >= 100 && status < 600 ? (status / 100) + "xx" : "other";
  }
}

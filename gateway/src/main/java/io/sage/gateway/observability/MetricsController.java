package io.sage.gateway.observability;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /metrics}: the gateway's meters in the Prometheus text format; {@code GET
 * /metrics/engines}: the engines' own metrics, relabelled. Open like {@code /health}, because
 * Prometheus scrapes without keys; {@code sage.metrics.enabled=false} removes both routes.
 */
@Controller
@Requires(property = MetricsFactory.ENABLED, notEquals = "false")
class MetricsController {
  static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final EngineMetrics engines;
  private final EngineMetricsRelay relay;

  MetricsController(
      PrometheusMeterRegistry registry, EngineMetrics engines, EngineMetricsRelay relay) {
    this.registry = registry;
    this.engines = engines;
    this.relay = relay;
  }

  @Get(value = "/metrics", produces = TEXT_FORMAT)
  HttpResponse<String> metrics() {
    engines.refresh();
    return HttpResponse.ok(registry.scrape()).contentType(TEXT_FORMAT);
  }

  @Get(value = "/metrics/engines", produces = TEXT_FORMAT)
  CompletableFuture<HttpResponse<String>> engineMetrics() {
    return relay.collect().thenApply(text -> HttpResponse.ok(text).contentType(TEXT_FORMAT));
  }
}

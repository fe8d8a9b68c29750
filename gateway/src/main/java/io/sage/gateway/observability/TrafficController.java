package io.sage.gateway.observability;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /v1/management/traffic}: the last minutes of inference traffic ({@link
 * TrafficSampler}), oldest first; {@code enabled: false} when metrics are switched off.
 */
@Controller("/v1/management/traffic")
class TrafficController {
  private final Optional<TrafficSampler> sampler;

  TrafficController(Optional<TrafficSampler> sampler) {
    this.sampler = sampler;
  }

  @Get
  Map<String, Object> traffic() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("enabled", sampler.isPresent());
    body.put("interval_seconds", TrafficSampler.EVERY.toSeconds());
    List<Map<String, Object>> samples =
        sampler.map(TrafficSampler::samples).orElse(List.of()).stream()
            .map(TrafficController::view)
            .toList();
    body.put("samples", samples);
    return body;
  }

  private static Map<String, Object> view(TrafficSampler.Sample sample) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("at", sample.at().toString());
    view.put("requests_per_second", round(sample.requestsPerSecond()));
    view.put("server_errors_per_second", round(sample.serverErrorsPerSecond()));
    view.put("client_errors_per_second", round(sample.clientErrorsPerSecond()));
    view.put("first_byte_ms", sample.firstByteMs() == null ? null : round(sample.firstByteMs()));
    return view;
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}

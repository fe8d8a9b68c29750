package io.sage.gateway.health;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Liveness ({@code /health}) and readiness ({@code /ready}: at least one READY engine). */
@Controller
class HealthController {
  private final ControlPlane controlPlane;

  HealthController(ControlPlane controlPlane) {
    this.controlPlane = controlPlane;
  }

  @Get("/health")
  Map<String, Object> health() {
    return Map.of("status", "ok");
  }

  @Get("/ready")
  HttpResponse<Map<String, Object>> ready() {
    int ready = 0;
    List<EngineSnapshot> all = controlPlane.engines();
    for (EngineSnapshot entry : all) {
      if (entry.state() == EngineState.READY) {
        ready++;
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", ready > 0 ? "ready" : "no engine is READY");
    body.put("ready_engines", ready);
    body.put("engines", all.size());
    return ready > 0
        ? HttpResponse.ok(body)
        : HttpResponse.<Map<String, Object>>status(io.micronaut.http.HttpStatus.SERVICE_UNAVAILABLE)
            .body(body);
  }
}

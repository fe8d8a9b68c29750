package io.sage.gateway.openai;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.sage.gateway.security.InferenceAdmission;
import io.sage.host.ControlPlane;
import io.sage.host.DeclaredModels;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import io.sage.host.models.ModelDeclaration;
import io.sage.host.models.ModelStatus;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/models}: the declared models (with their state, {@code running}, {@code loading} or
 * {@code idle}, and aliases) and the served models of READY or STARTING engines, each listed once,
 * in the OpenAI list shape plus {@code engine_kind} and the number of READY engines.
 */
@Controller("/v1/models")
class ModelsController {
  private final ControlPlane controlPlane;
  private final DeclaredModels declared;

  ModelsController(ControlPlane controlPlane, DeclaredModels declared) {
    this.controlPlane = controlPlane;
    this.declared = declared;
  }

  @Get
  Map<String, Object> list(HttpRequest<?> request) {
    List<Map<String, Object>> visible = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> model : models().entrySet()) {
      // a model-limited key sees only its models
      if (InferenceAdmission.allowsModel(request, model.getKey())) {
        visible.add(model.getValue());
      }
    }
    return Map.of("object", "list", "data", visible);
  }

  @Get("/{id:.+}")
  Map<String, Object> get(HttpRequest<?> request, @PathVariable String id) {
    Map<String, Map<String, Object>> all = models();
    Map<String, Object> model = all.get(id);
    if (model == null) {
      model = declared.resolve(id).map(d -> all.get(d.name())).orElse(null);
    }
    if (model == null || !InferenceAdmission.allowsModel(request, id)) {
      throw new SageException(
          ErrorCode.MODEL_NOT_FOUND, "model '" + id + "' does not exist", "model");
    }
    return model;
  }

  private Map<String, Map<String, Object>> models() {
    Map<String, Map<String, Object>> models = new LinkedHashMap<>();
    for (ModelStatus status : declared.statuses()) {
      ModelDeclaration d = status.declaration();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", d.name());
      m.put("object", "model");
      m.put("created", 0L);
      m.put("owned_by", "sage");
      m.put("engine_kind", d.engineKind());
      m.put("ready_engines", status.readyEngines());
      m.put("engines", status.engines());
      m.put("root", d.model());
      m.put("state", status.state().wireName());
      m.put("aliases", d.aliases());
      m.put("declared", true);
      models.put(d.name(), m);
    }
    // every node serves the whole cluster's models (docs/cluster.md)
    for (EngineSnapshot entry : controlPlane.clusterEngines()) {
      EngineState state = entry.state();
      if (state != EngineState.READY && state != EngineState.STARTING) {
        continue;
      }
      String name = entry.record().spec().servedModelName();
      if (models.containsKey(name) && Boolean.TRUE.equals(models.get(name).get("declared"))) {
        continue; // counted with its declaration (engines started by hand too)
      }
      Map<String, Object> model =
          models.computeIfAbsent(
              name,
              n -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", n);
                m.put("object", "model");
                m.put("created", entry.record().createdAt().getEpochSecond());
                m.put("owned_by", "sage");
                m.put("engine_kind", entry.record().spec().kind().wireName());
                m.put("ready_engines", 0);
                m.put("engines", 0);
                m.put("root", entry.record().spec().model());
                return m;
              });
      model.put("engines", (Integer) model.get("engines") + 1);
      if (state == EngineState.READY) {
        model.put("ready_engines", (Integer) model.get("ready_engines") + 1);
      }
      model.put("state", (Integer) model.get("ready_engines") > 0 ? "running" : "loading");
    }
    return models;
  }
}

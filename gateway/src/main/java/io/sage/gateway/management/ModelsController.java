package io.sage.gateway.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.sage.gateway.security.Actors;
import io.sage.gateway.wiring.ModelsFileWatcher;
import io.sage.host.ControlPlane;
import io.sage.host.DeclaredModels;
import io.sage.host.models.DeclarationParser;
import io.sage.host.models.ModelDeclaration;
import io.sage.host.models.ModelPlan;
import io.sage.host.models.Origin;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Declared models (issue 16, docs/models.md): list, read, declare and remove through the API, and
 * plan or apply the config file's declarations.
 */
@Controller("/v1/management/models")
@ExecuteOn(TaskExecutors.BLOCKING)
class ModelsController {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final DeclaredModels models;
  private final ModelsFileWatcher file;
  private final ControlPlane controlPlane;

  ModelsController(DeclaredModels models, ModelsFileWatcher file, ControlPlane controlPlane) {
    this.models = models;
    this.file = file;
    this.controlPlane = controlPlane;
  }

  @Get
  Map<String, Object> list() {
    Map<String, Object> body = new LinkedHashMap<>();
    List<Map<String, Object>> all =
        ModelViews.statuses(models.statuses(), name -> models.rolloutError(name).orElse(null));
    body.put("models", all);
    body.put("count", all.size());
    body.put("config_file", file.file() == null ? null : file.file().toString());
    return body;
  }

  @Get("/{name}")
  Map<String, Object> get(@PathVariable String name) {
    return models
        .status(name)
        .map(s -> ModelViews.status(s, models.rolloutError(name).orElse(null)))
        .orElseThrow(() -> notDeclared(name));
  }

  @Put(value = "/{name}", consumes = MediaType.ALL)
  HttpResponse<?> put(@PathVariable String name, @Body @Nullable byte[] body) {
    Object fields = parse(body);
    List<String> problems = new ArrayList<>();
    ModelDeclaration declaration =
        DeclarationParser.model(name, fields, Origin.API, "", problems).orElse(null);
    if (declaration == null) {
      throw SageException.invalid(firstField(problems), String.join("; ", problems));
    }
    boolean existed = models.declarations().model(name).isPresent();
    ModelPlan plan = models.put(declaration);
    controlPlane.audit(Actors.current(), "model.put", name, "accepted", declaration.label());
    Map<String, Object> view = new LinkedHashMap<>(get(name));
    view.put("plan", ModelViews.plan(plan, false));
    return existed ? HttpResponse.ok(view) : HttpResponse.created(view);
  }

  @Delete("/{name}")
  Map<String, Object> delete(@PathVariable String name) {
    ModelPlan plan = models.delete(name);
    controlPlane.audit(Actors.current(), "model.delete", name, "accepted", "");
    return ModelViews.plan(plan, false);
  }

  /**
   * Plans ({@code dry_run=true}) or applies the config file's declarations. A plan may be asked for
   * a file that is not in place yet: {@code {"file": "<its YAML text>"}} as the body.
   */
  @Post(value = "/apply", consumes = MediaType.ALL)
  HttpResponse<?> apply(
      @QueryValue(value = "dry_run", defaultValue = "false") String dryRun,
      @Body @Nullable byte[] body) {
    boolean dry;
    switch (dryRun) {
      case "true" -> dry = true;
      case "false" -> dry = false;
      default -> throw SageException.invalid("dry_run", "dry_run must be true or false");
    }
    boolean given = body != null && body.length > 0;
    if (given && !dry) {
      throw SageException.invalid(
          "dry_run",
          "only a plan (dry_run=true) takes a file in the body; apply applies the config file");
    }
    ModelPlan plan = given ? file.planText(fileText(body)) : file.plan(!dry);
    if (!dry) {
      controlPlane.audit(
          Actors.current(),
          "models.apply",
          null,
          plan.refused() ? "refused" : "accepted",
          plan.refused()
              ? String.join("; ", plan.problems())
              : plan.actions().size() + " change(s)");
    }
    if (plan.refused()) {
      throw SageException.invalid(
          "models", "refused, nothing changed: " + String.join("; ", plan.problems()));
    }
    return HttpResponse.ok(ModelViews.plan(plan, dry));
  }

  private static Object parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw SageException.invalid(null, "request body is empty; expected the model's fields");
    }
    try {
      Object value = JSON.readValue(body, Object.class);
      if (!(value instanceof Map<?, ?>)) {
        throw SageException.invalid(null, "request body must be a JSON object");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new SageException(
          ErrorCode.INVALID_REQUEST,
          "request body is not valid JSON: " + e.getOriginalMessage(),
          null);
    } catch (java.io.IOException e) {
      throw new SageException(ErrorCode.INVALID_REQUEST, "request body could not be read", null);
    }
  }

  private static String fileText(byte[] body) {
    Map<?, ?> fields = (Map<?, ?>) parse(body);
    for (Object key : fields.keySet()) {
      if (!"file".equals(key)) {
        throw SageException.invalid(
            String.valueOf(key), "unknown field '" + key + "' (known: file)");
      }
    }
    if (!(fields.get("file") instanceof String text)) {
      throw SageException.invalid("file", "file must be the config file's text");
    }
    return text;
  }

  private static String firstField(List<String> problems) {
    if (problems.isEmpty()) {
      return null;
    }
    String first = problems.get(0);
    int colon = first.indexOf(':');
    String field = colon > 0 ? first.substring(0, colon) : first;
    int dot = field.indexOf('.');
    return dot > 0 ? field.substring(dot + 1) : null;
  }

  private static SageException notDeclared(String name) {
    return new SageException(ErrorCode.NOT_FOUND, "model '" + name + "' is not declared", "name");
  }
}

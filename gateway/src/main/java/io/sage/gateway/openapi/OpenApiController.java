package io.sage.gateway.openapi;

import io.micronaut.core.annotation.AnnotationValue;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import io.sage.gateway.BuildInfo;
import io.sage.gateway.security.RouteKeys;
import jakarta.inject.Provider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /openapi.json}: an OpenAPI 3 document of every route this gateway serves, generated
 * from Micronaut's router (the same table that dispatches requests), so no route can be served
 * without being documented or documented without being served. Each operation names the key scope
 * it needs ({@code x-sage-key}), its path and query parameters, and the controller method behind
 * it.
 */
@Controller
class OpenApiController {
  private static final Pattern VARIABLE = Pattern.compile("\\{[+#./;?&]?([A-Za-z0-9_]+)[^}]*}");
  private final Provider<Router> router;
  private volatile Map<String, Object> document;

  OpenApiController(Provider<Router> router) {
    this.router = router;
  }

  @Get("/openapi.json")
  Map<String, Object> openapi() {
    Map<String, Object> built = document;
    if (built == null) {
      built = build();
      document = built;
    }
    return built;
  }

  private Map<String, Object> build() {
    Map<String, Map<String, Object>> paths = new TreeMap<>();
    router
        .get()
        .uriRoutes()
        .forEach(
            route -> {
              if (route.getHttpMethod() == HttpMethod.OPTIONS
                  || route.getHttpMethod() == HttpMethod.HEAD) {
                return;
              }
              String path = openApiPath(route.getUriMatchTemplate().toPathString());
              paths
                  .computeIfAbsent(path, p -> new TreeMap<>())
                  .put(route.getHttpMethodName().toLowerCase(Locale.ROOT), operation(route, path));
            });
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("openapi", "3.0.3");
    BuildInfo build = BuildInfo.current();
    doc.put(
        "info",
        Map.of(
            "title",
            "SAGE Gateway",
            "version",
            build.version(),
            "description",
            "OpenAI-compatible inference and the management API (commit " + build.commit() + ")"));
    doc.put(
        "components",
        Map.of("securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer"))));
    doc.put("paths", paths);
    return doc;
  }

  private static Map<String, Object> operation(UriRouteInfo<?, ?> route, String path) {
    Map<String, Object> operation = new LinkedHashMap<>();
    String controller = route.getDeclaringType().getSimpleName();
    String method = route.getTargetMethod().getMethodName();
    operation.put("operationId", controller + "." + method + "." + route.getHttpMethodName());
    operation.put("tags", List.of(tag(path)));
    String key = RouteKeys.needed(VARIABLE.matcher(path).replaceAll("x"));
    operation.put("x-sage-key", key);
    if (!key.equals("none")) {
      operation.put("security", List.of(Map.of("bearer", List.of())));
    }
    List<Map<String, Object>> parameters = new ArrayList<>();
    Matcher variables = VARIABLE.matcher(path);
    while (variables.find()) {
      parameters.add(parameter(variables.group(1), "path", true));
    }
    for (Argument<?> argument : route.getTargetMethod().getArguments()) {
      AnnotationValue<QueryValue> query =
          argument.getAnnotationMetadata().getAnnotation(QueryValue.class);
      if (query != null) {
        String name = query.stringValue().filter(s -> !s.isEmpty()).orElse(argument.getName());
        parameters.add(parameter(name, "query", false));
      }
    }
    if (!parameters.isEmpty()) {
      operation.put("parameters", parameters);
    }
    if (route.getBodyArgument().isPresent()) {
      operation.put(
          "requestBody",
          Map.of(
              "content",
              Map.of(
                  path.startsWith("/v1/audio/") ? "multipart/form-data" : "application/json",
                  Map.of("schema", Map.of("type", "object")))));
    }
    operation.put(
        "responses",
        Map.of(
            "default",
            Map.of(
                "description",
                "the answer; errors are {\"error\": {\"message\", \"type\", \"param\", \"code\"}}")));
    return operation;
  }

  private static Map<String, Object> parameter(String name, String in, boolean required) {
    return Map.of("name", name, "in", in, "required", required, "schema", Map.of("type", "string"));
  }

  private static String openApiPath(String template) {
    return VARIABLE.matcher(template).replaceAll("{$1}");
  }

  private static String tag(String path) {
    if (path.startsWith("/v1/management")) {
      return "management";
    }
    if (path.contains("sessions")) {
      return "sessions";
    }
    if (path.startsWith("/v1/") || RouteKeys.needed(path).equals("inference")) {
      return "inference";
    }
    return "operations";
  }
}

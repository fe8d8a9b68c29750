package io.sage.gateway.openai;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.RouteCondition;
import io.sage.gateway.errors.OpenAiError;
import io.sage.host.ControlPlane;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import java.util.concurrent.CompletableFuture;

/**
 * The rest of the vLLM/OpenAI inference API, relayed like chat and embeddings (retries, failover,
 * metrics and the access log come with {@link EngineProxy}): each request goes to a READY engine of
 * the model it names, under the same path. Generation routes go to LLM engines; the routes vLLM
 * serves for any model (tokenizer, pooling, scoring) go to whichever kind serves the model. Any
 * other {@code POST /v1/...} that carries a model is relayed the same way, so new engine routes
 * work without a gateway release.
 */
@Controller
class InferenceRoutes {
  private final EngineProxy proxy;
  private final ControlPlane controlPlane;

  InferenceRoutes(EngineProxy proxy, ControlPlane controlPlane) {
    this.proxy = proxy;
    this.controlPlane = controlPlane;
  }

  @Post(value = "/v1/responses", consumes = MediaType.ALL, produces = MediaType.ALL)
  CompletableFuture<HttpResponse<?>> responses(
      HttpRequest<?> request, @Body @Nullable byte[] body) {
    return proxy.forward(request, body, EngineKind.LLM, request.getPath());
  }

  @Post(
      uris = {"/v1/audio/transcriptions", "/v1/audio/translations"},
      consumes = MediaType.ALL,
      produces = MediaType.ALL)
  CompletableFuture<HttpResponse<?>> audio(HttpRequest<?> request, @Body @Nullable byte[] body) {
    return relay(request, body, EngineKind.LLM);
  }

  @Post(
      uris = {
        "/v1/rerank",
        "/rerank",
        "/v2/rerank",
        "/v1/score",
        "/score",
        "/tokenize",
        "/detokenize",
        "/pooling",
        "/classify"
      },
      consumes = MediaType.ALL,
      produces = MediaType.ALL)
  CompletableFuture<HttpResponse<?>> anyKind(HttpRequest<?> request, @Body @Nullable byte[] body) {
    return relay(request, body, null);
  }

  /**
   * Any other POST under /v1/ (never management or the console's API, whose routes are more
   * specific and admin-only or open).
   */
  @Post(value = "/v1/{+rest}", consumes = MediaType.ALL, produces = MediaType.ALL)
  // never on management or console paths: see unservedPost
  @RouteCondition(
      "#{!request.path.startsWith('/v1/management/') && !request.path.startsWith('/v1/console/')}")
  CompletableFuture<HttpResponse<?>> other(
      HttpRequest<?> exchange, String rest, @Body @Nullable byte[] body) {
    if (rest.equals("management")
        || rest.startsWith("management/")
        || rest.equals("console")
        || rest.startsWith("console/")) {
      return CompletableFuture.completedFuture(unserved(exchange));
    }
    return relay(exchange, body, null);
  }

  /**
   * POSTs to management and console paths that no route of theirs serves. The catch-all above
   * declares it produces anything, so for a client that sends {@code Accept: *}{@code /*} (curl,
   * browsers) Micronaut would prefer it to every specific management route; its route condition
   * keeps it off these paths, and this route answers the unserved ones with the router's 404.
   */
  @Post(
      uris = {"/v1/management/{+rest}", "/v1/console/{+rest}"},
      consumes = MediaType.ALL)
  HttpResponse<?> unservedPost(HttpRequest<?> request, String rest) {
    return unserved(request);
  }

  /**
   * Other methods on unserved {@code /v1/} paths: the router's 404, not the 405 the POST route
   * above would cause (routes with the same path but another method are more specific and win).
   */
  @io.micronaut.http.annotation.Get("/v1/{+rest}")
  HttpResponse<?> unservedGet(HttpRequest<?> request, String rest) {
    return unserved(request);
  }

  @io.micronaut.http.annotation.Delete("/v1/{+rest}")
  HttpResponse<?> unservedDelete(HttpRequest<?> request, String rest) {
    return unserved(request);
  }

  @io.micronaut.http.annotation.Put(value = "/v1/{+rest}", consumes = MediaType.ALL)
  HttpResponse<?> unservedPut(HttpRequest<?> request, String rest) {
    return unserved(request);
  }

  @io.micronaut.http.annotation.Patch(value = "/v1/{+rest}", consumes = MediaType.ALL)
  HttpResponse<?> unservedPatch(HttpRequest<?> request, String rest) {
    return unserved(request);
  }

  private static HttpResponse<?> unserved(HttpRequest<?> request) {
    return OpenAiError.response(
        404,
        "no route " + request.getMethodName() + " " + request.getPath(),
        "invalid_request_error",
        "not_found");
  }

  /** Relays to an engine of {@code kind}, or (null) of the kind that serves the model. */
  private CompletableFuture<HttpResponse<?>> relay(
      HttpRequest<?> request, byte[] body, @Nullable EngineKind kind) {
    InferenceRequest parsed;
    try {
      String contentType = request.getHeaders().get("Content-Type");
      parsed =
          MultipartInference.applies(contentType)
              ? MultipartInference.inspect(body, contentType)
              : InferenceRequest.inspect(body);
    } catch (SageException e) {
      return CompletableFuture.completedFuture(OpenAiError.response(e));
    }
    EngineKind target =
        kind != null ? kind : controlPlane.kindServing(parsed.model()).orElse(EngineKind.LLM);
    return proxy.forward(request, body, parsed, target, request.getPath(), null);
  }
}

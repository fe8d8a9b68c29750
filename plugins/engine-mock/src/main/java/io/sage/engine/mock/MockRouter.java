package io.sage.engine.mock;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The one handler of the mock engine's HTTP server: logs, applies faults, checks the API key and
 * dispatches on the exact path. One handler instead of one context per route because the JDK server
 * matches contexts by string prefix ({@code /v1/models} would also take {@code /v1/modelsX}).
 */
final class MockRouter implements HttpHandler {
  static final int MAX_BODY_BYTES = 32 << 20;
  private static final byte[] HEALTH_OK = bytes("{\"status\":\"ok\"}");
  private static final byte[] HEALTH_FAILING =
      bytes("{\"status\":\"unhealthy\",\"reason\":\"fail_health_after_s\"}");
  private static final byte[] LOADING =
      bytes("{\"status\":\"loading\",\"reason\":\"startup_delay_s\"}");

  private final MockServerConfig config;
  private final MockFaults faults;
  private final PrintStream out;
  private final PrintStream err;
  private final Optional<byte[]> expectedAuthorization;
  private final byte[] models;
  private final Completions completions;
  private final Embeddings embeddings;
  private final MockExtraRoutes extra;

  MockRouter(MockServerConfig config, MockFaults faults, PrintStream out, PrintStream err) {
    this.config = config;
    this.faults = faults;
    this.out = out;
    this.err = err;
    this.expectedAuthorization = config.apiKey().map(key -> bytes("Bearer " + key));
    this.models =
        bytes(
            "{\"object\":\"list\",\"data\":[{\"id\":"
                + JsonText.quote(config.model())
                + ",\"object\":\"model\",\"created\":"
                + System.currentTimeMillis() / 1000
                + ",\"owned_by\":\"sage-mock\",\"engine_kind\":\""
                + config.kindName()
                + "\"}]}");
    this.completions = new Completions(config.model(), config.options(), faults);
    this.embeddings = new Embeddings(config.model(), config.options());
    this.extra = new MockExtraRoutes(config.model(), config.options());
  }

  @Override
  public void handle(HttpExchange exchange) {
    boolean served = false;
    try {
      served = route(exchange);
    } catch (ApiError e) {
      trySend(exchange, e.status(), e.body());
    } catch (IOException e) {
      // The client went away or the engine is stopping: there is nobody left to answer.
    } catch (RuntimeException e) {
      err.println("mock engine " + config.model() + ": request failed: " + e);
      trySend(exchange, 500, ApiError.internal("internal mock engine error: " + e).body());
    } finally {
      exchange.close();
    }
    if (served) {
      faults.requestServed(err);
    }
  }

  /** Answers one request; true when it was a generation or embedding request served with 200. */
  private boolean route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    byte[] body = readBody(exchange);
    if (config.options().logRequests()) {
      log(exchange, method, path, body);
    }
    faults.hangIfDue();
    String requestId = exchange.getRequestHeaders().getFirst("x-request-id");
    if (requestId != null) {
      exchange.getResponseHeaders().set("x-request-id", requestId);
    }
    if (faults.loading()) {
      sendJson(exchange, 503, LOADING);
      return false;
    }
    if (path.equals("/health")) {
      requireMethod("GET", method, path);
      boolean failing = faults.healthFailing();
      sendJson(exchange, failing ? 503 : 200, failing ? HEALTH_FAILING : HEALTH_OK);
      return false;
    }
    if (path.startsWith("/v1/")) {
      authorize(exchange); // like vLLM's --api-key, which guards the /v1 routes only
    }
    switch (path) {
      case "/v1/models" -> {
        requireMethod("GET", method, path);
        sendJson(exchange, 200, models);
        return false;
      }
      case "/v1/chat/completions", "/v1/completions" -> {
        requireMethod("POST", method, path);
        MockRequest request = generationRequest(body, "completions");
        boolean chat = path.equals("/v1/chat/completions");
        if (chat) {
          MockRequestValidation.chat(request.fields());
        } else {
          MockRequestValidation.completion(request.fields());
        }
        completions.serve(exchange, request, chat);
        return true;
      }
      case "/v1/embeddings" -> {
        requireMethod("POST", method, path);
        if (!config.embedding()) {
          throw ApiError.invalid(
              "model", "The model `" + config.model() + "` is not an embedding model.");
        }
        MockRequest request = checkModel(MockRequest.parse(body));
        MockRequestValidation.embedding(request.fields());
        embeddings.serve(exchange, request);
        return true;
      }
      case "/tokenize",
          "/detokenize",
          "/v1/rerank",
          "/rerank",
          "/v2/rerank",
          "/v1/score",
          "/score" -> {
        requireMethod("POST", method, path);
        extra.serveAnyKind(exchange, path, checkModel(MockRequest.parse(body)));
        return true;
      }
      case "/v1/responses" -> {
        requireMethod("POST", method, path);
        extra.serveResponse(exchange, generationRequest(body, "responses"));
        return true;
      }
      case "/v1/audio/transcriptions", "/v1/audio/translations" -> {
        requireMethod("POST", method, path);
        extra.serveAudio(exchange, path, body, config.embedding());
        return true;
      }
      default -> throw ApiError.notFound(path);
    }
  }

  private MockRequest generationRequest(byte[] body, String api) {
    MockRequest request = checkModel(MockRequest.parse(body));
    if (config.embedding()) {
      throw ApiError.invalid(
          "model",
          "The model `" + config.model() + "` is an embedding model and has no " + api + ".");
    }
    return request;
  }

  /** Like vLLM: a missing model means the served one, another name is 404. */
  private MockRequest checkModel(MockRequest request) {
    Optional<String> model = request.model();
    if (model.isPresent() && !model.get().equals(config.model())) {
      throw ApiError.modelNotFound(model.get());
    }
    return request;
  }

  private void authorize(HttpExchange exchange) {
    if (expectedAuthorization.isEmpty()) {
      return;
    }
    String given = exchange.getRequestHeaders().getFirst("Authorization");
    if (given == null || !MessageDigest.isEqual(bytes(given), expectedAuthorization.get())) {
      throw ApiError.unauthorized();
    }
  }

  private static void requireMethod(String expected, String method, String path) {
    if (!expected.equals(method)) {
      throw ApiError.methodNotAllowed(method, path);
    }
  }

  private static byte[] readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      if (body.length > MAX_BODY_BYTES) {
        throw ApiError.tooLarge(MAX_BODY_BYTES);
      }
      return body;
    }
  }

  private void log(HttpExchange exchange, String method, String path, byte[] body) {
    String oneLine = new String(body, StandardCharsets.UTF_8).replace("\r", "").replace('\n', ' ');
    String line =
        "request method="
            + method
            + " path="
            + path
            + " x-request-id="
            + header(exchange, "x-request-id")
            + " traceparent="
            + header(exchange, "traceparent")
            + " body="
            + oneLine;
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  private static String header(HttpExchange exchange, String name) {
    String value = exchange.getRequestHeaders().getFirst(name);
    return value == null || value.isEmpty() ? "-" : value;
  }

  static void sendJson(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream response = exchange.getResponseBody()) {
      response.write(body);
    }
  }

  private void trySend(HttpExchange exchange, int status, byte[] body) {
    try {
      sendJson(exchange, status, body);
    } catch (IOException | RuntimeException e) {
      // Headers already went out (a failure mid-stream) or the client is gone.
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}

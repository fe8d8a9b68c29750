package io.sage.engine.embedding.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The engine's HTTP face: {@code /health}, {@code /v1/models} and {@code /v1/embeddings}. It
 * listens before the model is loaded, so the host sees a live process answering 503 on {@code
 * /health} while loading, then 200 once {@link #ready} was called.
 */
public final class EmbeddingHttpServer implements AutoCloseable {

  /** Bodies above this are refused with 413 before they are parsed. */
  static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerArguments arguments;
  private final byte[] apiKey;
  private final HttpServer server;
  private final ExecutorService executor;
  private final long created = System.currentTimeMillis() / 1000;
  private volatile TextEncoder encoder;
  private volatile MicroBatcher batcher;

  public EmbeddingHttpServer(ServerArguments arguments, String apiKey) throws IOException {
    this.arguments = arguments;
    this.apiKey =
        apiKey == null || apiKey.isBlank() ? null : apiKey.getBytes(StandardCharsets.UTF_8);
    this.server = HttpServer.create(new InetSocketAddress(arguments.host(), arguments.port()), 256);
    // Bounded: at most this many requests are parsed and waiting at once, each bounded in size.
    this.executor = Executors.newFixedThreadPool(Math.max(8, 4 * arguments.threads()));
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Marks the model loaded: from now on /health answers 200 and embeddings are served. */
  public void ready(TextEncoder loadedEncoder, MicroBatcher loadedBatcher) {
    this.batcher = loadedBatcher;
    this.encoder = loadedEncoder;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (ApiException e) {
        sendError(exchange, e);
      } catch (RuntimeException e) {
        e.printStackTrace();
        sendError(
            exchange,
            new ApiException(500, "server_error", "internal", null, "embedding failed: " + e));
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    if (path.equals("/health")) {
      requireMethod(method, "GET");
      boolean loaded = encoder != null;
      send(exchange, loaded ? 200 : 503, Map.of("status", loaded ? "ok" : "loading"));
      return;
    }
    if (!path.startsWith("/v1/")) {
      throw new ApiException(404, "invalid_request_error", "not_found", null, "no route " + path);
    }
    authenticate(exchange);
    switch (path) {
      case "/v1/models" -> {
        requireMethod(method, "GET");
        send(exchange, 200, Map.of("object", "list", "data", List.of(modelEntry())));
      }
      case "/v1/embeddings" -> {
        requireMethod(method, "POST");
        send(exchange, 200, embeddings(readJson(exchange)));
      }
      default ->
          throw new ApiException(
              404, "invalid_request_error", "not_found", null, "no route " + path);
    }
  }

  private Map<String, Object> modelEntry() {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("id", arguments.servedModelName());
    entry.put("object", "model");
    entry.put("created", created);
    entry.put("owned_by", "sage");
    entry.put("engine_kind", "embedding");
    entry.put("root", arguments.model());
    TextEncoder loaded = encoder;
    if (loaded != null) {
      entry.put("dimensions", loaded.dimension());
    }
    return entry;
  }

  private Map<String, Object> embeddings(JsonNode body) {
    EmbeddingRequest request = EmbeddingRequest.parse(body, arguments.maxInputs());
    if (!request.model().equals(arguments.servedModelName())) {
      throw new ApiException(
          404,
          "invalid_request_error",
          "model_not_found",
          "model",
          "model '"
              + request.model()
              + "' is not served here; this engine serves '"
              + arguments.servedModelName()
              + "'");
    }
    TextEncoder loaded = encoder;
    if (loaded == null) {
      throw new ApiException(
          503, "service_unavailable_error", "model_loading", null, "the model is still loading");
    }
    if (request.dimensions() != null && request.dimensions() != loaded.dimension()) {
      throw ApiException.invalid(
          "dimensions",
          "this model produces "
              + loaded.dimension()
              + "-dimensional vectors and cannot shorten them; omit 'dimensions'");
    }
    List<CompletableFuture<float[]>> pending = new ArrayList<>();
    int tokens = 0;
    for (int i = 0; i < request.inputs().size(); i++) {
      TokenizedText text = tokenizeWithinLimit(loaded, request.inputs().get(i), i);
      tokens += text.tokenCount();
      pending.add(batcher.submit(text));
    }
    List<Map<String, Object>> data = new ArrayList<>(pending.size());
    for (int i = 0; i < pending.size(); i++) {
      float[] vector = await(pending.get(i));
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("object", "embedding");
      item.put("index", i);
      item.put("embedding", request.base64() ? toBase64(vector) : vector);
      data.add(item);
    }
    Map<String, Object> response = new LinkedHashMap<>();
    response.put("object", "list");
    response.put("data", data);
    response.put("model", arguments.servedModelName());
    response.put("usage", Map.of("prompt_tokens", tokens, "total_tokens", tokens));
    return response;
  }

  private TokenizedText tokenizeWithinLimit(TextEncoder loaded, String input, int index) {
    TokenizedText text = loaded.tokenize(input);
    int limit = arguments.maxInputTokens();
    if (text.tokenCount() <= limit) {
      return text;
    }
    if (arguments.truncate()) {
      return TextEncoder.truncate(text, limit);
    }
    throw ApiException.invalid(
        "input",
        "input["
            + index
            + "] has "
            + text.tokenCount()
            + " tokens; this engine accepts at most "
            + limit
            + " (start it with option truncate=true to cut long inputs instead)");
  }

  private static float[] await(CompletableFuture<float[]> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(
          503, "service_unavailable_error", "shutting_down", null, "the engine is shutting down");
    } catch (ExecutionException e) {
      throw new IllegalStateException("the model failed: " + e.getCause(), e.getCause());
    }
  }

  /** OpenAI's base64 format: the float32 values, little-endian, base64-encoded. */
  static String toBase64(float[] vector) {
    ByteBuffer bytes =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : vector) {
      bytes.putFloat(v);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private void authenticate(HttpExchange exchange) {
    if (apiKey == null) {
      return;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    byte[] given =
        header != null && header.startsWith("Bearer ")
            ? header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8)
            : new byte[0];
    if (!MessageDigest.isEqual(apiKey, given)) {
      throw new ApiException(
          401,
          "authentication_error",
          "invalid_api_key",
          null,
          "a valid 'Authorization: Bearer' key is required");
    }
  }

  private static void requireMethod(String method, String expected) {
    if (!method.equals(expected)) {
      throw new ApiException(
          405, "invalid_request_error", "method_not_allowed", null, "use " + expected);
    }
  }

  private static JsonNode readJson(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new ApiException(
          413,
          "invalid_request_error",
          "payload_too_large",
          null,
          "the body exceeds " + MAX_BODY_BYTES + " bytes");
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw ApiException.invalid(null, "the request body is not valid JSON");
    }
  }

  private static void sendError(HttpExchange exchange, ApiException e) throws IOException {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", e.getMessage());
    error.put("type", e.type());
    error.put("param", e.param());
    error.put("code", e.code());
    if (e.status() == 503) {
      exchange.getResponseHeaders().set("Retry-After", "1");
    }
    send(exchange, e.status(), Map.of("error", error));
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

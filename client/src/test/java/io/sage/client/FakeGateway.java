package io.sage.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A hand-written stand-in for the gateway on 127.0.0.1: answers scripted per route and records
 * every request as it arrived, so tests can assert on the exact bodies the client sent.
 */
public final class FakeGateway implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One request as the fake received it. */
  public record Recorded(
      String method, String path, String query, Map<String, List<String>> headers, String body) {

    public JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("request body is not JSON: " + body, e);
      }
    }

    public String header(String name) {
      for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
        if (entry.getKey().equalsIgnoreCase(name)) {
          return entry.getValue().get(0);
        }
      }
      return null;
    }
  }

  /** Answers one request. */
  @FunctionalInterface
  public interface Handler {
    void handle(HttpExchange exchange, Recorded request) throws Exception;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Deque<Handler>> routes = new ConcurrentHashMap<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();

  private FakeGateway() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::dispatch);
    server.setExecutor(executor);
    server.start();
  }

  public static FakeGateway start() {
    try {
      return new FakeGateway();
    } catch (IOException e) {
      throw new UncheckedIOException("fake gateway cannot bind 127.0.0.1", e);
    }
  }

  /** A URL where nothing listens: a port bound and released at once. */
  public static String deadUrl() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Scripts a route: the handlers answer successive requests, the last one all later requests. */
  public FakeGateway on(String method, String path, Handler... handlers) {
    routes.put(method + " " + path, new ArrayDeque<>(List.of(handlers)));
    return this;
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  public List<Recorded> requests(String method, String path) {
    return requests.stream()
        .filter(r -> r.method().equals(method) && r.path().equals(path))
        .toList();
  }

  private void dispatch(HttpExchange exchange) throws IOException {
    try (exchange) {
      Recorded request =
          new Recorded(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getPath(),
              exchange.getRequestURI().getRawQuery(),
              Map.copyOf(exchange.getRequestHeaders()),
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      requests.add(request);
      Handler handler = next(request.method() + " " + request.path());
      if (handler == null) {
        error(
                404,
                "invalid_request_error",
                "route_not_found",
                "fake has no route " + request.path())
            .handle(exchange, request);
        return;
      }
      handler.handle(exchange, request);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("fake handler failed", e);
    }
  }

  private Handler next(String route) {
    Deque<Handler> handlers = routes.get(route);
    if (handlers == null) {
      return null;
    }
    synchronized (handlers) {
      return handlers.size() > 1 ? handlers.poll() : handlers.peek();
    }
  }

  public static Handler json(int status, String body, String... headerPairs) {
    return (exchange, request) -> respond(exchange, status, "application/json", body, headerPairs);
  }

  public static Handler text(int status, String body) {
    return (exchange, request) -> respond(exchange, status, "text/plain", body);
  }

  public static Handler error(
      int status, String type, String code, String message, String... headerPairs) {
    String body =
        "{\"error\":{\"message\":\""
            + message
            + "\",\"type\":\""
            + type
            + "\",\"param\":null,\"code\":\""
            + code
            + "\"}}";
    return json(status, body, headerPairs);
  }

  public static void respond(
      HttpExchange exchange, int status, String contentType, String body, String... headerPairs)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    for (int i = 0; i + 1 < headerPairs.length; i += 2) {
      exchange.getResponseHeaders().set(headerPairs[i], headerPairs[i + 1]);
    }
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Starts a chunked SSE answer; the caller writes events with {@link #event}. */
  public static OutputStream startEvents(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    return exchange.getResponseBody();
  }

  public static void event(OutputStream out, String data) throws IOException {
    out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  public static String chunk(String content) {
    return "{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content
        + "\"},\"finish_reason\":null}]}";
  }

  public static String finalChunk() {
    return "{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

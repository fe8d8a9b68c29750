package io.sage.gateway.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A hand-written stand-in for the gateway's management API on 127.0.0.1: answers are set per
 * "METHOD path" (path with query); a route may have a queue of answers, the last one repeating.
 * Records every request with its body and Authorization header.
 */
final class FakeGateway implements AutoCloseable {
  record Answer(int status, String contentType, String body) {}

  record Request(String method, String pathAndQuery, String body, String authorization) {}

  private final HttpServer server;
  private final Map<String, Deque<Answer>> routes = new HashMap<>();
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

  FakeGateway() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  synchronized FakeGateway json(String route, int status, String... bodies) {
    Deque<Answer> answers = new ArrayDeque<>();
    for (String body : bodies) {
      answers.add(new Answer(status, "application/json", body));
    }
    routes.put(route, answers);
    return this;
  }

  synchronized FakeGateway text(String route, String body) {
    routes.put(route, new ArrayDeque<>(List.of(new Answer(200, "text/plain", body))));
    return this;
  }

  static String error(String message, String code) {
    return "{\"error\":{\"message\":\""
        + message
        + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\""
        + code
        + "\"}}";
  }

  static String engine(String id, String state, String lastError) {
    return "{\"id\":\""
        + id
        + "\",\"model\":\"m1\",\"served_model_name\":\"m1\",\"engine_kind\":\"llm\","
        + "\"runtime\":\"mock\",\"state\":\""
        + state
        + "\",\"desired_state\":\"RUNNING\",\"host\":\"127.0.0.1\","
        + "\"port\":41001,\"base_url\":\"http://127.0.0.1:41001\",\"pid\":4242,\"gpu_ids\":[],"
        + "\"tensor_parallel_size\":1,\"label\":\"demo\",\"options\":{\"latency_ms\":\"5\"},"
        + "\"created_at\":\"2025-01-01T00:00:00Z\",\"updated_at\":\"2025-01-01T00:00:01Z\","
        + "\"state_since\":\"2025-01-01T00:00:01Z\",\"last_heartbeat_at\":null,\"consecutive_failures\":0,"
        + "\"active_requests\":0,\"restart_count\":0,\"last_error\":"
        + (lastError == null ? "null" : "\"" + lastError + "\"")
        + "}";
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String route = exchange.getRequestMethod() + " " + exchange.getRequestURI().toString();
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().toString(),
            body,
            exchange.getRequestHeaders().getFirst("Authorization")));
    Answer answer;
    synchronized (this) {
      Deque<Answer> answers = routes.get(route);
      if (answers == null) {
        answer = new Answer(404, "application/json", error("no route " + route, "not_found"));
      } else {
        answer = answers.size() > 1 ? answers.poll() : answers.peek();
      }
    }
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", answer.contentType());
    exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

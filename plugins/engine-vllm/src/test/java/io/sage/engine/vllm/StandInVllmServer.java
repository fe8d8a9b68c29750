package io.sage.engine.vllm;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Stands in for {@code vllm serve} in tests: reads the flags vLLM would read and serves {@code
 * /health} (no key, as vLLM) and {@code /v1/models} (bearer key required, as vLLM with {@code
 * VLLM_API_KEY}). JDK only, so the stand-in script can start it from the test classes alone.
 */
public final class StandInVllmServer {
  private StandInVllmServer() {}

  public static void main(String[] args) throws IOException {
    List<String> argv = List.of(args);
    String host = valueOf(argv, "--host");
    int port = Integer.parseInt(valueOf(argv, "--port"));
    String servedName = valueOf(argv, "--served-model-name");
    String apiKey = System.getenv("VLLM_API_KEY");

    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext("/health", exchange -> answer(exchange, 200, ""));
    server.createContext(
        "/v1/",
        exchange -> {
          if (!("Bearer " + apiKey)
              .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            answer(exchange, 401, "{\"error\":{\"message\":\"Unauthorized\"}}");
          } else if (exchange.getRequestURI().getPath().equals("/v1/models")) {
            answer(
                exchange,
                200,
                "{\"object\":\"list\",\"data\":[{\"id\":\""
                    + servedName
                    + "\",\"object\":\"model\",\"owned_by\":\"vllm\"}]}");
          } else {
            answer(exchange, 404, "{\"error\":{\"message\":\"not found\"}}");
          }
        });
    server.start();
  }

  private static String valueOf(List<String> argv, String flag) {
    int at = argv.indexOf(flag);
    if (at < 0 || at + 1 >= argv.size()) {
      throw new IllegalArgumentException("stand-in vllm: missing " + flag);
    }
    return argv.get(at + 1);
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}

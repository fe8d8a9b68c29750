package io.sage.examples.echo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The echo engine process: {@code java -cp <plugin jar> io.sage.examples.echo.EchoServerMain --host
 * H --port P --model M}, bearer key in {@code SAGE_ENGINE_API_KEY}. Serves {@code /health}, {@code
 * /v1/models} and {@code /v1/chat/completions} (plain and streamed), answering with the last user
 * message. Exits 2 on bad arguments and 1 when the port cannot be bound.
 */
public final class EchoServerMain {
  static final String API_KEY_ENV = "SAGE_ENGINE_API_KEY";

  private EchoServerMain() {}

  public static void main(String[] args) {
    Map<String, String> flags;
    try {
      flags = flags(args);
    } catch (IllegalArgumentException e) {
      System.err.println("echo engine: " + e.getMessage());
      System.err.println("usage: EchoServerMain --host H --port P --model M");
      System.exit(2);
      return;
    }
    String host = flags.getOrDefault("--host", "127.0.0.1");
    int port = Integer.parseInt(flags.getOrDefault("--port", "0"));
    try {
      HttpServer server = start(host, port, flags.get("--model"), System.getenv(API_KEY_ENV));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0), "echo-shutdown"));
      System.out.println(
          "echo engine "
              + flags.get("--model")
              + " listening on "
              + host
              + ":"
              + server.getAddress().getPort());
    } catch (IOException e) {
      System.err.println("echo engine cannot listen on " + host + ":" + port + ": " + e);
      System.exit(1);
    }
  }

  static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!List.of("--host", "--port", "--model").contains(args[i]) || i + 1 >= args.length) {
        throw new IllegalArgumentException("unknown argument or missing value: " + args[i]);
      }
      flags.put(args[i], args[i + 1]);
    }
    if (!flags.containsKey("--model")) {
      throw new IllegalArgumentException("--model is required");
    }
    return flags;
  }

  /** Starts the server; {@code apiKey} null or blank means no key is required. */
  static HttpServer start(String host, int port, String model, String apiKey) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
    server.setExecutor(Executors.newFixedThreadPool(4));
    EchoHandler handler = new EchoHandler(model, apiKey);
    server.createContext("/", handler::handle);
    server.start();
    return server;
  }

  /** Routes one request; answers are small and written whole, except the stream. */
  private record EchoHandler(String model, String apiKey) {
    void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/health")) {
          send(exchange, 200, "{\"status\":\"ok\"}");
        } else if (!authorized(exchange)) {
          send(
              exchange,
              401,
              error("missing or wrong bearer key", "authentication_error", "invalid_api_key"));
        } else if (path.equals("/v1/models") && exchange.getRequestMethod().equals("GET")) {
          send(
              exchange,
              200,
              "{\"object\":\"list\",\"data\":[{\"id\":"
                  + Json.quote(model)
                  + ",\"object\":\"model\",\"owned_by\":\"echo\"}]}");
        } else if (path.equals("/v1/chat/completions")
            && exchange.getRequestMethod().equals("POST")) {
          chat(exchange);
        } else {
          send(exchange, 404, error("no route " + path, "invalid_request_error", "not_found"));
        }
      }
    }

    private boolean authorized(HttpExchange exchange) {
      return apiKey == null
          || apiKey.isBlank()
          || ("Bearer " + apiKey).equals(exchange.getRequestHeaders().getFirst("Authorization"));
    }

    private void chat(HttpExchange exchange) throws IOException {
      Map<?, ?> body;
      try {
        body =
            (Map<?, ?>)
                Json.parse(
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException | ClassCastException e) {
        send(
            exchange,
            400,
            error(
                "malformed JSON body: " + e.getMessage(), "invalid_request_error", "invalid_json"));
        return;
      }
      String echo = lastUserMessage(body);
      String created = Long.toString(System.currentTimeMillis() / 1000);
      if (Boolean.TRUE.equals(body.get("stream"))) {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (String word : echo.split("(?<= )")) {
          event(
              out,
              "{\"id\":\"echo\",\"object\":\"chat.completion.chunk\",\"created\":"
                  + created
                  + ",\"model\":"
                  + Json.quote(model)
                  + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                  + Json.quote(word)
                  + "},\"finish_reason\":null}]}");
        }
        event(
            out,
            "{\"id\":\"echo\",\"object\":\"chat.completion.chunk\",\"created\":"
                + created
                + ",\"model\":"
                + Json.quote(model)
                + ",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
        event(out, "[DONE]");
        return;
      }
      int tokens = echo.isBlank() ? 0 : echo.trim().split("\\s+").length;
      send(
          exchange,
          200,
          "{\"id\":\"echo\",\"object\":\"chat.completion\",\"created\":"
              + created
              + ",\"model\":"
              + Json.quote(model)
              + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
              + "\"content\":"
              + Json.quote(echo)
              + "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"
              + tokens
              + ",\"completion_tokens\":"
              + tokens
              + ",\"total_tokens\":"
              + (2 * tokens)
              + "}}");
    }

    private static String lastUserMessage(Map<?, ?> body) {
      String last = "";
      if (body.get("messages") instanceof List<?> messages) {
        for (Object message : messages) {
          if (message instanceof Map<?, ?> m
              && "user".equals(m.get("role"))
              && m.get("content") instanceof String s) {
            last = s;
          }
        }
      }
      return last;
    }

    private static void event(OutputStream out, String data) throws IOException {
      out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    private static String error(String message, String type, String code) {
      return "{\"error\":{\"message\":"
          + Json.quote(message)
          + ",\"type\":\""
          + type
          + "\",\"param\":null,\"code\":\""
          + code
          + "\"}}";
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}

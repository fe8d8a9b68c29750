package io.sage.examples.echo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

  /** Jackson, shaded into the plugin jar (see pom.xml): the recommended way to read JSON. */
  private static final ObjectMapper JSON = new ObjectMapper();

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
          send(exchange, 200, JSON.createObjectNode().put("status", "ok"));
        } else if (!authorized(exchange)) {
          send(
              exchange,
              401,
              error("missing or wrong bearer key", "authentication_error", "invalid_api_key"));
        } else if (path.equals("/v1/models") && exchange.getRequestMethod().equals("GET")) {
          ObjectNode models = JSON.createObjectNode().put("object", "list");
          models.putArray("data").addObject().put("id", model).put("object", "model");
          ((ObjectNode) models.get("data").get(0)).put("owned_by", "echo");
          send(exchange, 200, models);
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
      JsonNode body;
      try {
        body = JSON.readTree(exchange.getRequestBody());
      } catch (JsonProcessingException e) {
        send(
            exchange,
            400,
            error(
                "malformed JSON body: " + e.getOriginalMessage(),
                "invalid_request_error",
                "invalid_json"));
        return;
      }
      if (body == null || !body.isObject()) {
        send(
            exchange,
            400,
            error(
                "malformed JSON body: expected a JSON object",
                "invalid_request_error",
                "invalid_json"));
        return;
      }
      String echo = lastUserMessage(body);
      long created = System.currentTimeMillis() / 1000;
      if (body.path("stream").asBoolean(false)) {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (String word : echo.split("(?<= )")) {
          ObjectNode chunk = completion("chat.completion.chunk", created);
          ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
          choice.putObject("delta").put("content", word);
          choice.putNull("finish_reason");
          event(out, JSON.writeValueAsString(chunk));
        }
        ObjectNode last = completion("chat.completion.chunk", created);
        ObjectNode choice = last.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta");
        choice.put("finish_reason", "stop");
        event(out, JSON.writeValueAsString(last));
        event(out, "[DONE]");
        return;
      }
      int tokens = echo.isBlank() ? 0 : echo.trim().split("\\s+").length;
      ObjectNode answer = completion("chat.completion", created);
      ObjectNode choice = answer.putArray("choices").addObject().put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", echo);
      choice.put("finish_reason", "stop");
      answer
          .putObject("usage")
          .put("prompt_tokens", tokens)
          .put("completion_tokens", tokens)
          .put("total_tokens", 2 * tokens);
      send(exchange, 200, answer);
    }

    private ObjectNode completion(String object, long created) {
      return JSON.createObjectNode()
          .put("id", "echo")
          .put("object", object)
          .put("created", created)
          .put("model", model);
    }

    private static String lastUserMessage(JsonNode body) {
      String last = "";
      for (JsonNode message : body.path("messages")) {
        JsonNode content = message.path("content");
        if ("user".equals(message.path("role").asText()) && content.isTextual()) {
          last = content.textValue();
        }
      }
      return last;
    }

    private static void event(OutputStream out, String data) throws IOException {
      out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    private static ObjectNode error(String message, String type, String code) {
      ObjectNode error = JSON.createObjectNode();
      error
          .putObject("error")
          .put("message", message)
          .put("type", type)
          .putNull("param")
          .put("code", code);
      return error;
    }

    private static void send(HttpExchange exchange, int status, JsonNode json) throws IOException {
      byte[] bytes = JSON.writeValueAsBytes(json);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}

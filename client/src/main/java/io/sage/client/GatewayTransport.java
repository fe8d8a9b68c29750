package io.sage.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Sends requests to one or more gateways: adds the API key, retries connection failures and 503
 * (honouring {@code Retry-After}), fails over to the next gateway URL with the very same body (so
 * the same model), and maps error answers to {@link SageClientException}.
 *
 * <p>Only failures where the gateway certainly did not act are repeated: a refused connection, or a
 * 503 (no capacity). A timeout or a connection cut mid-request is not repeated, because the request
 * may have run.
 *
 * <p>Paths are absolute from the gateway root, e.g. {@code /v1/management/engines}.
 */
public final class GatewayTransport {

  static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static final String USER_AGENT = "sage-client/0.1";

  private final HttpClient http;
  private final List<URI> gateways;
  private final String apiKey;
  private final Duration requestTimeout;
  private final RetryPolicy retry;

  /** The gateway that answered last, tried first next time so a dead one is not retried forever. */
  private final AtomicInteger preferred = new AtomicInteger();

  public GatewayTransport(
      List<URI> gateways,
      String apiKey,
      Duration connectTimeout,
      Duration requestTimeout,
      RetryPolicy retry) {
    if (gateways.isEmpty()) {
      throw new IllegalArgumentException("at least one gateway URL is needed");
    }
    this.gateways = List.copyOf(gateways);
    this.apiKey = apiKey;
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    this.retry = Objects.requireNonNull(retry, "retry");
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Objects.requireNonNull(connectTimeout, "connectTimeout"))
            .build();
  }

  /**
   * The gateway root for a URL given with or without the OpenAI {@code /v1} suffix: {@code
   * http://h:8000/v1/} and {@code http://h:8000} both give {@code http://h:8000}.
   */
  public static URI gatewayRoot(String url) {
    String trimmed = Objects.requireNonNull(url, "gateway URL").trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    if (trimmed.endsWith("/v1")) {
      trimmed = trimmed.substring(0, trimmed.length() - 3);
    }
    URI root = URI.create(trimmed);
    if (root.getScheme() == null
        || !(root.getScheme().equals("http") || root.getScheme().equals("https"))
        || root.getHost() == null) {
      throw new IllegalArgumentException("gateway URL must be http(s)://host[:port]: " + url);
    }
    return root;
  }

  public List<URI> gateways() {
    return gateways;
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Sends a JSON request and returns the parsed JSON answer ({@code null} node when empty). */
  public JsonNode json(String method, String path, Object body) {
    try (GatewayResponse response = send(method, path, body, "application/json")) {
      byte[] bytes = response.body().readAllBytes();
      return bytes.length == 0 ? NullNode.getInstance() : MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw readFailed(method, path, e);
    }
  }

  /** Like {@link #json} but also returns the routing header, for inference calls. */
  public Answer answer(String method, String path, Object body) {
    try (GatewayResponse response = send(method, path, body, "application/json")) {
      byte[] bytes = response.body().readAllBytes();
      JsonNode json = bytes.length == 0 ? NullNode.getInstance() : MAPPER.readTree(bytes);
      return new Answer(json, response.engineId().orElse(null));
    } catch (IOException e) {
      throw readFailed(method, path, e);
    }
  }

  /** A parsed JSON answer and the engine that produced it ({@code null} when not proxied). */
  public record Answer(JsonNode json, String engineId) {}

  /** GETs a text answer (logs). */
  public String text(String path) {
    try (GatewayResponse response = send("GET", path, null, "text/plain")) {
      return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw readFailed("GET", path, e);
    }
  }

  /** GETs a long-lived text or SSE body as lines; closing the stream closes the connection. */
  public Stream<String> lines(String path) {
    GatewayResponse response = send("GET", path, null, "text/event-stream, text/plain");
    return LineStream.open(response, "GET " + path);
  }

  /** POSTs a streaming OpenAI request and returns its chunks as they arrive. */
  public Stream<JsonNode> events(String path, Object body) {
    GatewayResponse response = send("POST", path, body, "text/event-stream");
    return OpenAiEventStream.open(response, "POST " + path);
  }

  /**
   * Sends a request, retrying and failing over as described on the class, and returns the first 2xx
   * answer with its body unread. Any other answer throws.
   */
  public GatewayResponse send(String method, String path, Object body, String accept) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/': " + path);
    }
    byte[] bytes = encode(body);
    int count = gateways.size();
    int start = preferred.get();
    SageClientException last = null;
    for (int pass = 0; pass <= retry.maxRetries(); pass++) {
      boolean onlyConnectFailures = true;
      for (int k = 0; k < count; k++) {
        int index = (start + k) % count;
        Attempt attempt = sendTo(gateways.get(index), method, path, bytes, accept);
        if (attempt.response() != null) {
          preferred.set(index);
          return attempt.response();
        }
        last = attempt.failure();
        onlyConnectFailures &= attempt.connectFailure();
      }
      if (!onlyConnectFailures || pass == retry.maxRetries()) {
        break;
      }
      sleep(retry.backoff(pass), method, path);
    }
    throw last;
  }

  private record Attempt(
      GatewayResponse response, SageClientException failure, boolean connectFailure) {}

  /** Tries one gateway, repeating 503 answers there before giving up on it. */
  private Attempt sendTo(URI gateway, String method, String path, byte[] body, String accept) {
    HttpRequest request = request(gateway, method, path, body, accept);
    String context = method + " " + gateway + path;
    for (int repeat = 0; ; repeat++) {
      HttpResponse<InputStream> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        if (isConnectFailure(e)) {
          return new Attempt(
              null,
              new SageClientException(
                  0,
                  "connection_error",
                  "connect_failed",
                  null,
                  "cannot connect to gateway " + gateway + ": " + e,
                  null,
                  context,
                  e),
              true);
        }
        throw new SageClientException(
            0,
            "connection_error",
            "request_failed",
            null,
            "request failed: " + e,
            null,
            context,
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SageClientException(
            "connection_error", "interrupted", context + ": interrupted", e);
      }
      int status = response.statusCode();
      GatewayResponse answer =
          new GatewayResponse(status, response.headers(), response.body(), gateway);
      if (status >= 200 && status < 300) {
        return new Attempt(answer, null, false);
      }
      SageClientException failure = readError(answer, context);
      if (status != 503) {
        throw failure;
      }
      if (repeat >= retry.maxRetries()) {
        return new Attempt(null, failure, false);
      }
      sleep(retry.waitBefore(repeat, response.headers().firstValue("retry-after")), method, path);
    }
  }

  private HttpRequest request(URI gateway, String method, String path, byte[] body, String accept) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(gateway + path))
            .timeout(requestTimeout)
            .header("Accept", accept)
            .header("User-Agent", USER_AGENT);
    if (apiKey != null) {
      builder.header("Authorization", "Bearer " + apiKey);
    }
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder.header("Content-Type", "application/json");
      builder.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    }
    return builder.build();
  }

  private static SageClientException readError(GatewayResponse answer, String context) {
    try (answer) {
      return ErrorResponses.fromHttp(
          answer.status(), answer.body().readAllBytes(), answer.engineId(), context);
    } catch (IOException e) {
      return new SageClientException(
          answer.status(),
          null,
          null,
          null,
          "error body unreadable: " + e,
          answer.engineId().orElse(null),
          context,
          e);
    }
  }

  private static byte[] encode(Object body) {
    if (body == null) {
      return null;
    }
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("request body cannot be written as JSON: " + body, e);
    }
  }

  private static boolean isConnectFailure(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof HttpConnectTimeoutException
          || t instanceof UnresolvedAddressException) {
        return true;
      }
    }
    return false;
  }

  private static void sleep(Duration wait, String method, String path) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SageClientException(
          "connection_error",
          "interrupted",
          method + " " + path + ": interrupted while waiting to retry",
          e);
    }
  }

  private static SageClientException readFailed(String method, String path, IOException e) {
    return new SageClientException(
        "connection_error",
        "response_read_failed",
        method + " " + path + ": reading the answer failed: " + e,
        e);
  }
}

package io.sage.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Plain HTTP against the gateway under test, with JSON helpers. */
public final class Http {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /**
   * Admin keys of the gateways under test by "host:port": sent unless a request names its own key.
   */
  private static final Map<String, String> KEYS = new java.util.concurrent.ConcurrentHashMap<>();

  private Http() {}

  /** Sends {@code key} as the bearer key on every request to {@code baseUrl} that carries none. */
  public static void useKey(String baseUrl, String key) {
    KEYS.put(URI.create(baseUrl).getAuthority(), key);
  }

  /** Status, headers and body of one response; {@link #json()} parses the body. */
  public record Response(int status, Map<String, java.util.List<String>> headers, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (status " + status + "): " + body, e);
      }
    }

    public String header(String name) {
      for (Map.Entry<String, java.util.List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
          return h.getValue().get(0);
        }
      }
      return null;
    }
  }

  public static Response get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  public static Response post(String url, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public static Response delete(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).DELETE());
  }

  public static Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          CLIENT.send(
              withKey(request.timeout(Duration.ofSeconds(120)).build()),
              HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers().map(), response.body());
    } catch (IOException e) {
      throw new IllegalStateException("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The request with the gateway's admin key added, unless it has an Authorization header already.
   */
  public static HttpRequest withKey(HttpRequest request) {
    String key = KEYS.get(request.uri().getAuthority());
    if (key == null || request.headers().firstValue("Authorization").isPresent()) {
      return request;
    }
    return HttpRequest.newBuilder(request, (name, value) -> true)
        .header("Authorization", "Bearer " + key)
        .build();
  }

  public static HttpClient client() {
    return CLIENT;
  }
}

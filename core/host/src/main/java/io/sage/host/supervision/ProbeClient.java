package io.sage.host.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sage.spi.engine.HealthProbe;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Readiness and health probes over HTTP, asynchronous so that one slow engine never delays the
 * probes of the others. Probes never send generation requests.
 */
public final class ProbeClient implements Prober {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final Duration timeout;

  public ProbeClient(Duration timeout, Executor executor) {
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .executor(executor)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  @Override
  public CompletableFuture<ProbeResult> probe(
      String baseUrl, HealthProbe probe, String servedModel, String apiKey) {
    return get(baseUrl + probe.healthPath(), apiKey)
        .thenCompose(
            health -> {
              if (health.statusCode() != 200) {
                return CompletableFuture.completedFuture(
                    ProbeResult.failed(probe.healthPath() + " answered " + health.statusCode()));
              }
              if (!probe.requireServedModel()) {
                return CompletableFuture.completedFuture(ProbeResult.passed());
              }
              return get(baseUrl + "/v1/models", apiKey)
                  .thenApply(models -> checkModels(models, servedModel));
            })
        .exceptionally(ProbeClient::describe);
  }

  private CompletableFuture<HttpResponse<String>> get(String url, String apiKey) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      // a stored base URL the JDK cannot parse: a failed probe with the reason, not a throw
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("invalid engine URL '" + url + "'", e));
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    if (apiKey != null && !apiKey.isEmpty()) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static ProbeResult checkModels(HttpResponse<String> response, String servedModel) {
    if (response.statusCode() != 200) {
      return ProbeResult.failed("/v1/models answered " + response.statusCode());
    }
    try {
      JsonNode data = JSON.readTree(response.body()).path("data");
      for (JsonNode model : data) {
        if (servedModel.equals(model.path("id").asText())) {
          return ProbeResult.passed();
        }
      }
      return ProbeResult.failed("/v1/models does not list '" + servedModel + "'");
    } catch (Exception e) {
      return ProbeResult.failed("/v1/models answered malformed JSON");
    }
  }

  private static ProbeResult describe(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof HttpTimeoutException) {
      return ProbeResult.failed("timed out");
    }
    if (cause instanceof ConnectException) {
      return ProbeResult.failed("connection refused");
    }
    if (cause instanceof IllegalArgumentException) {
      return ProbeResult.failed(cause.getMessage());
    }
    String message = cause.getMessage();
    return new ProbeResult(
        false, cause.getClass().getSimpleName() + (message == null ? "" : ": " + message));
  }
}

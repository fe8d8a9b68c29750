package io.sage.gateway.observability;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Relays the READY engines' own {@code /metrics} (vLLM's {@code vllm:*}) as one exposition, each
 * sample labelled with its {@code engine_id}, so that one scrape target covers the fleet. Engines
 * without a metrics route, or that do not answer within the timeout, are left out.
 */
@Singleton
@Requires(property = MetricsFactory.ENABLED, notEquals = "false")
final class EngineMetricsRelay {
  private final ControlPlane engines;
  private final Duration timeout;
  private final HttpClient http;

  EngineMetricsRelay(
      ControlPlane engines, @Value("${sage.metrics.engine-timeout:2s}") Duration timeout) {
    this.engines = engines;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  CompletableFuture<String> collect() {
    Map<String, CompletableFuture<String>> pending = new LinkedHashMap<>();
    for (EngineSnapshot entry : engines.engines()) {
      if (entry.state() != EngineState.READY || entry.record().baseUrl() == null) {
        continue;
      }
      pending.put(entry.id(), fetch(entry));
    }
    return CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              Map<String, String> texts = new LinkedHashMap<>();
              pending.forEach((id, future) -> texts.put(id, future.join()));
              return merge(texts);
            });
  }

  private CompletableFuture<String> fetch(EngineSnapshot entry) {
    String base = entry.record().baseUrl();
    if (base.endsWith("/v1")) {
      base = base.substring(0, base.length() - 3);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(timeout).GET();
    String key = entry.record().engineApiKey();
    if (key != null && !key.isEmpty()) {
      request.header("Authorization", "Bearer " + key);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> response.statusCode() == 200 ? response.body() : "")
        .exceptionally(error -> "");
  }

  /**
   * Merges expositions (engine id to text), keeping each metric family's HELP and TYPE once and its
   * samples together, as the text format requires.
   */
  static String merge(Map<String, String> texts) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    Map<String, List<String>> samples = new LinkedHashMap<>();
    for (Map.Entry<String, String> text : texts.entrySet()) {
      String family = "";
      for (String line : text.getValue().split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
          String[] parts = line.split(" ", 4);
          family = parts.length > 2 ? parts[2] : "";
          List<String> known = headers.computeIfAbsent(family, f -> new ArrayList<>());
          if (!known.contains(line)) {
            known.add(line);
          }
          samples.computeIfAbsent(family, f -> new ArrayList<>());
        } else if (!line.startsWith("#")) {
          samples
              .computeIfAbsent(family, f -> new ArrayList<>())
              .add(withEngineId(line, text.getKey()));
        }
      }
    }
    StringBuilder out = new StringBuilder();
    samples.forEach(
        (family, lines) -> {
          headers.getOrDefault(family, List.of()).forEach(h -> out.append(h).append('\n'));
          lines.forEach(l -> out.append(l).append('\n'));
        });
    return out.toString();
  }

  /** Adds {@code engine_id} as the first label of one sample line. */
  static String withEngineId(String sample, String engineId) {
    int brace = sample.indexOf('{');
    int space = sample.indexOf(' ');
    String label = "engine_id=\"" + engineId + "\"";
    if (brace >= 0 && (space < 0 || brace < space)) {
      boolean empty = brace + 1 < sample.length() && sample.charAt(brace + 1) == '}';
      return sample.substring(0, brace + 1)
          + label
          + (empty ? "" : ",")
          + sample.substring(brace + 1);
    }
    if (space < 0) {
      return sample;
    }
    return sample.substring(0, space) + "{" + label + "}" + sample.substring(space);
  }
}

package io.sage.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The gateway's model list, cached briefly so picking a default model does not cost a request per
 * call, yet a model started a minute ago is found.
 */
final class ModelCatalog {

  private final GatewayTransport transport;
  private final Duration ttl;
  private final Clock clock;
  private List<ModelInfo> cached = List.of();
  private Instant fetchedAt = Instant.MIN;

  ModelCatalog(GatewayTransport transport, Duration ttl, Clock clock) {
    this.transport = transport;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** Always asks the gateway (and refreshes the cache). */
  synchronized List<ModelInfo> fetch() {
    JsonNode answer = transport.json("GET", "/v1/models", null);
    List<ModelInfo> models = new ArrayList<>();
    for (JsonNode entry : answer.path("data")) {
      if (entry.hasNonNull("id")) {
        models.add(ModelInfo.fromJson(entry));
      }
    }
    cached = List.copyOf(models);
    fetchedAt = clock.instant();
    return cached;
  }

  /** The first listed model of a kind, e.g. the default chat model. */
  synchronized String first(String engineKind, Predicate<ModelInfo> kind) {
    List<ModelInfo> models =
        fetchedAt != Instant.MIN && clock.instant().isBefore(fetchedAt.plus(ttl))
            ? cached
            : fetch();
    return models.stream()
        .filter(kind)
        .map(ModelInfo::id)
        .findFirst()
        .orElseThrow(
            () ->
                new SageClientException(
                    0,
                    "invalid_request_error",
                    "model_not_found",
                    "model",
                    "no model given, no default configured, and the gateway lists no "
                        + engineKind
                        + " model",
                    null,
                    "choosing a default model",
                    null));
  }
}

package io.sage.host.usage;

import java.time.Instant;
import java.util.Objects;

/**
 * One finished inference request, as the usage store keeps it (a raw usage row).
 *
 * @param at when the request ended
 * @param keyId the API key's id, or {@code anonymous}
 * @param model the model the client asked for
 * @param engineId the engine that answered, or null when the gateway answered itself
 * @param route the OpenAI path, e.g. {@code /v1/chat/completions}
 * @param status the HTTP status sent to the client
 * @param promptTokens prompt tokens from the engine's {@code usage}, 0 when it reported none
 * @param completionTokens completion tokens, 0 when none
 * @param ttfbMillis time to the first response byte, or -1 when no byte came
 * @param durationMillis time from the request to the end of its response
 */
public record UsageRecord(
    Instant at,
    String keyId,
    String model,
    String engineId,
    String route,
    int status,
    long promptTokens,
    long completionTokens,
    long ttfbMillis,
    long durationMillis) {

  public UsageRecord {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(route, "route");
    if (promptTokens < 0 || completionTokens < 0) {
      throw new IllegalArgumentException("token counts must not be negative");
    }
  }

  public long totalTokens() {
    return promptTokens + completionTokens;
  }

  /** Epoch hour (UTC) of {@link #at}: the roll-up bucket. */
  public long hour() {
    return Math.floorDiv(at.getEpochSecond(), 3600);
  }
}

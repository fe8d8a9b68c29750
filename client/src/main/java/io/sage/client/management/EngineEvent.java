package io.sage.client.management;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One state transition of an engine, as recorded by the gateway.
 *
 * @param id the event's id (events of all engines share one sequence), null when not sent
 * @param engineId the engine that moved
 * @param from the state before, null for the engine's first event
 */
public record EngineEvent(
    Long id, String engineId, EngineState from, EngineState to, String reason, Instant at) {

  public static EngineEvent fromJson(JsonNode json) {
    String from = JsonFields.text(json, "from");
    return new EngineEvent(
        JsonFields.longValue(json, "id"),
        JsonFields.text(json, "engine_id"),
        from == null ? null : EngineState.parse(from),
        EngineState.parse(JsonFields.text(json, "to")),
        JsonFields.text(json, "reason"),
        JsonFields.instant(json, "at"));
  }
}

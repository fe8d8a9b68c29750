package io.sage.client.management;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One state transition of an engine, as recorded by the gateway. */
public record EngineEvent(EngineState from, EngineState to, String reason, Instant at) {

  public static EngineEvent fromJson(JsonNode json) {
    String from = JsonFields.text(json, "from");
    return new EngineEvent(
        from == null ? null : EngineState.parse(from),
        EngineState.parse(JsonFields.text(json, "to")),
        JsonFields.text(json, "reason"),
        JsonFields.instant(json, "at"));
  }
}

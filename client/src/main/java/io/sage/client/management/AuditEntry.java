package io.sage.client.management;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One management action from the audit log.
 *
 * @param id the entry's id, null when not sent
 * @param actor the API key id that acted
 * @param detail free-form detail as text (JSON text when the gateway sent an object)
 * @param raw the entry as sent
 */
public record AuditEntry(
    Long id,
    Instant at,
    String actor,
    String action,
    String target,
    String outcome,
    String detail,
    JsonNode raw) {

  public static AuditEntry fromJson(JsonNode json) {
    Instant at = JsonFields.instant(json, "at");
    if (at == null) {
      at = JsonFields.instant(json, "time");
    }
    if (at == null) {
      at = JsonFields.instant(json, "created_at");
    }
    JsonNode detail = json.get("detail");
    return new AuditEntry(
        JsonFields.longValue(json, "id"),
        at,
        JsonFields.text(json, "actor"),
        JsonFields.text(json, "action"),
        JsonFields.text(json, "target"),
        JsonFields.text(json, "outcome"),
        detail == null || detail.isNull()
            ? null
            : detail.isTextual() ? detail.asText() : detail.toString(),
        json);
  }
}

package io.sage.host.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One management action.
 *
 * @param id database id (0 before it is stored)
 * @param at when it happened
 * @param actor the API key id that acted, or {@code anonymous}
 * @param action what was asked ({@code engine.start}, {@code engine.stop}, ...)
 * @param target the engine id or other object acted on, or null
 * @param outcome {@code ok}, {@code accepted}, or {@code error}
 * @param detail a sentence with specifics (secrets masked), or null
 */
public record AuditEntry(
    long id,
    Instant at,
    String actor,
    String action,
    String target,
    String outcome,
    String detail) {
  public AuditEntry {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(outcome, "outcome");
  }
}

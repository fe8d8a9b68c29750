package io.sage.host.models;

import java.util.List;
import java.util.Map;

/**
 * What reconciling engines to the declarations would do, and why; computing it changes nothing.
 *
 * @param actions the changes, in the order they would be made
 * @param problems why the declarations cannot be applied at all (then nothing is done)
 */
public record ModelPlan(List<Action> actions, List<String> problems) {
  public ModelPlan {
    actions = List.copyOf(actions);
    problems = List.copyOf(problems);
  }

  public static ModelPlan refused(List<String> problems) {
    return new ModelPlan(List.of(), problems);
  }

  public boolean refused() {
    return !problems.isEmpty();
  }

  /** The kinds of change. */
  public enum Kind {
    /** Launch one more replica. */
    START,
    /** Drain and stop an engine. */
    STOP,
    /** Start a replica of the new revision, wait for READY, then drain the old engine. */
    REPLACE
  }

  /**
   * One change.
   *
   * @param kind start, stop or replace
   * @param model the declared model
   * @param engineId the engine stopped or replaced; null for a start
   * @param reason why, for people
   */
  public record Action(Kind kind, String model, String engineId, String reason) {
    public Map<String, Object> fields() {
      return engineId == null
          ? Map.of(
              "action",
              kind.name().toLowerCase(java.util.Locale.ROOT),
              "model",
              model,
              "reason",
              reason)
          : Map.of(
              "action", kind.name().toLowerCase(java.util.Locale.ROOT),
              "model", model,
              "engine_id", engineId,
              "reason", reason);
    }

    /** One line for the CLI and the log: {@code start qwen: below min replicas (0 of 1)}. */
    public String line() {
      return kind.name().toLowerCase(java.util.Locale.ROOT)
          + " "
          + model
          + (engineId == null ? "" : " (" + engineId + ")")
          + ": "
          + reason;
    }
  }
}

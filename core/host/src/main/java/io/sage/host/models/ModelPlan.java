package io.sage.host.models;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
    /** The action as the API shows it, in a stable order. */
    public Map<String, Object> fields() {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("action", kind.name().toLowerCase(Locale.ROOT));
      fields.put("model", model);
      if (engineId != null) {
        fields.put("engine_id", engineId);
      }
      fields.put("reason", reason);
      return fields;
    }

    /** One line for the CLI and the log: {@code start qwen: below min replicas (0 of 1)}. */
    public String line() {
      return kind.name().toLowerCase(Locale.ROOT)
          + " "
          + model
          + (engineId == null ? "" : " (" + engineId + ")")
          + ": "
          + reason;
    }
  }
}

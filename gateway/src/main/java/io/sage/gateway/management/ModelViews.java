package io.sage.gateway.management;

import io.sage.host.models.ModelPlan;
import io.sage.host.models.ModelStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Declared models and plans as the management API shows them. */
public final class ModelViews {
  private ModelViews() {}

  public static Map<String, Object> status(ModelStatus s, String rolloutError) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("name", s.declaration().name());
    view.put("origin", s.declaration().origin().wireName());
    view.put("state", s.state().wireName());
    view.put("ready_engines", s.readyEngines());
    view.put("engines", s.engines());
    view.put("in_flight", s.inFlight());
    view.put("waiting", s.waiting());
    view.put("last_used", s.lastUsed() == null ? null : s.lastUsed().toString());
    view.put("revision", s.declaration().revision());
    view.put("rollout_error", rolloutError);
    view.put("declaration", s.declaration().fields());
    return view;
  }

  public static Map<String, Object> plan(ModelPlan plan, boolean dryRun) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("dry_run", dryRun);
    view.put("applied", !dryRun && !plan.refused());
    view.put("actions", plan.actions().stream().map(ModelPlan.Action::fields).toList());
    view.put("problems", plan.problems());
    return view;
  }

  static List<Map<String, Object>> statuses(List<ModelStatus> all, RolloutErrors errors) {
    return all.stream().map(s -> status(s, errors.of(s.declaration().name()))).toList();
  }

  /** Where the last roll-out error of a model comes from. */
  interface RolloutErrors {
    String of(String model);
  }
}

package io.sage.host.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelPlanTest {

  @Test
  void aPlanWithProblemsIsRefusedAndHasNoActions() {
    ModelPlan plan = ModelPlan.refused(List.of("models.a.group: nope"));
    assertThat(plan.refused()).isTrue();
    assertThat(plan.actions()).isEmpty();
    assertThat(new ModelPlan(List.of(), List.of()).refused()).isFalse();
  }

  @Test
  void theListsAreCopies() {
    List<ModelPlan.Action> actions = new ArrayList<>();
    actions.add(new ModelPlan.Action(ModelPlan.Kind.START, "a", null, "why"));
    ModelPlan plan = new ModelPlan(actions, new ArrayList<>());
    actions.clear();
    assertThat(plan.actions()).hasSize(1);
  }

  @Test
  void aStartHasNoEngineInItsLineOrFields() {
    ModelPlan.Action start =
        new ModelPlan.Action(ModelPlan.Kind.START, "qwen", null, "below min replicas (0 of 1)");
    assertThat(start.line()).isEqualTo("start qwen: below min replicas (0 of 1)");
    assertThat(start.fields())
        .containsExactly(
            Map.entry("action", "start"),
            Map.entry("model", "qwen"),
            Map.entry("reason", "below min replicas (0 of 1)"));
  }

  @Test
  void aStopOrReplaceNamesTheEngine() {
    ModelPlan.Action stop = new ModelPlan.Action(ModelPlan.Kind.STOP, "qwen", "eng-1", "gone");
    ModelPlan.Action replace =
        new ModelPlan.Action(ModelPlan.Kind.REPLACE, "qwen", "eng-2", "changed");
    assertThat(stop.line()).isEqualTo("stop qwen (eng-1): gone");
    assertThat(replace.line()).isEqualTo("replace qwen (eng-2): changed");
    assertThat(replace.fields())
        .containsExactly(
            Map.entry("action", "replace"),
            Map.entry("model", "qwen"),
            Map.entry("engine_id", "eng-2"),
            Map.entry("reason", "changed"));
  }
}

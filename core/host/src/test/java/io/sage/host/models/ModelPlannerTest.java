package io.sage.host.models;

import static io.sage.host.models.ModelFixtures.declarations;
import static io.sage.host.models.ModelFixtures.engine;
import static io.sage.host.models.ModelFixtures.engineAt;
import static io.sage.host.models.ModelFixtures.model;
import static io.sage.host.models.ModelFixtures.withOptions;
import static io.sage.host.models.ModelFixtures.withReplicas;
import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.EngineSnapshot;
import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelPlannerTest {

  @Test
  void nothingDeclaredAndNothingRunningPlansNothing() {
    ModelPlan plan = ModelPlanner.plan(Declarations.NONE, List.of());
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.refused()).isFalse();
  }

  @Test
  void startsReplicasUpToTheMinimumCountingEachOne() {
    ModelDeclaration qwen = model("qwen", 2, 3);
    ModelPlan plan = ModelPlanner.plan(declarations(qwen), List.of());
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::line)
        .containsExactly(
            "start qwen: below min replicas (0 of 2 running)",
            "start qwen: below min replicas (1 of 2 running)");
  }

  @Test
  void anOnDemandModelIsNotStartedByThePlan() {
    ModelPlan plan = ModelPlanner.plan(declarations(model("lazy", 0, 2)), List.of());
    assertThat(plan.actions()).isEmpty();
  }

  @Test
  void runningReplicasOfTheCurrentRevisionCountTowardsTheMinimum() {
    ModelDeclaration qwen = model("qwen", 2, 2);
    ModelPlan plan =
        ModelPlanner.plan(
            declarations(qwen),
            List.of(
                engine("e1", qwen, EngineState.READY, 0),
                engine("e2", qwen, EngineState.STARTING, 0)));
    assertThat(plan.actions()).isEmpty();
  }

  @Test
  void stoppedAndDrainingEnginesDoNotCountAsReplicas() {
    ModelDeclaration qwen = model("qwen", 1, 1);
    ModelPlan plan =
        ModelPlanner.plan(
            declarations(qwen),
            List.of(
                engine("e1", qwen, EngineState.STOPPED, 0),
                engine("e2", qwen, EngineState.DRAINING, 0)));
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::kind, ModelPlan.Action::engineId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(ModelPlan.Kind.START, null));
  }

  @Test
  void aFailedEngineCountsOnlyWhileItIsMeantToRun() {
    ModelDeclaration qwen = model("qwen", 1, 1);
    EngineSnapshot retrying =
        engine("e1", "qwen", qwen.label(), EngineState.ERROR, DesiredState.RUNNING, 0);
    EngineSnapshot givenUp =
        engine("e1", "qwen", qwen.label(), EngineState.ERROR, DesiredState.STOPPED, 0);
    assertThat(ModelPlanner.live(retrying)).isTrue();
    assertThat(ModelPlanner.live(givenUp)).isFalse();
    assertThat(ModelPlanner.plan(declarations(qwen), List.of(retrying)).actions()).isEmpty();
    assertThat(ModelPlanner.plan(declarations(qwen), List.of(givenUp)).actions())
        .extracting(ModelPlan.Action::kind)
        .containsExactly(ModelPlan.Kind.START);
  }

  @Test
  void liveCoversEveryState() {
    ModelDeclaration qwen = model("qwen", 1, 1);
    for (EngineState state : EngineState.values()) {
      boolean expected =
          switch (state) {
            case STARTING, READY, ERROR -> true;
            case DRAINING, STOPPED -> false;
          };
      assertThat(ModelPlanner.live(engine("e", qwen, state, 0)))
          .as(state.name())
          .isEqualTo(expected);
    }
  }

  @Test
  void stopsTheLiveEnginesOfAModelNoLongerDeclared() {
    ModelDeclaration gone = model("gone", 1, 1);
    ModelPlan plan =
        ModelPlanner.plan(
            Declarations.NONE,
            List.of(
                engine("e1", gone, EngineState.READY, 3),
                engine("e2", gone, EngineState.STOPPED, 0)));
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::line)
        .containsExactly("stop gone (e1): model 'gone' is no longer declared");
  }

  @Test
  void neverTouchesEnginesStartedByHand() {
    ModelDeclaration qwen = model("qwen", 0, 1);
    EngineSnapshot byHand =
        engine("e1", "qwen", "my own engine", EngineState.READY, DesiredState.RUNNING, 0);
    EngineSnapshot unlabelled =
        engine("e2", "other", null, EngineState.READY, DesiredState.RUNNING, 0);
    assertThat(ModelPlanner.declaredBy(byHand)).isEmpty();
    assertThat(ModelPlanner.declaredBy(unlabelled)).isEmpty();
    assertThat(ModelPlanner.plan(declarations(qwen), List.of(byHand, unlabelled)).actions())
        .isEmpty();
    assertThat(ModelPlanner.plan(Declarations.NONE, List.of(byHand, unlabelled)).actions())
        .isEmpty();
  }

  @Test
  void handStartedEnginesServingTheNameDoNotCountTowardsTheMinimum() {
    ModelDeclaration qwen = model("qwen", 1, 1);
    EngineSnapshot byHand = engine("e1", "qwen", null, EngineState.READY, DesiredState.RUNNING, 0);
    assertThat(ModelPlanner.plan(declarations(qwen), List.of(byHand)).actions())
        .extracting(ModelPlan.Action::kind)
        .containsExactly(ModelPlan.Kind.START);
  }

  @Test
  void replacesEnginesOfAnOldRevisionNamingBothRevisions() {
    ModelDeclaration before = model("qwen", 1, 1);
    ModelDeclaration after = withOptions(before, Map.of("max_model_len", "4096"));
    assertThat(after.revision()).isNotEqualTo(before.revision());
    ModelPlan plan =
        ModelPlanner.plan(declarations(after), List.of(engine("e1", before, EngineState.READY, 0)));
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::line)
        .containsExactly(
            "replace qwen (e1): declaration changed (revision "
                + before.revision()
                + " -> "
                + after.revision()
                + ")");
  }

  @Test
  void aStaleEngineIsOnlyStoppedWhenCurrentReplicasAlreadyFillTheMaximum() {
    ModelDeclaration before = model("qwen", 1, 1);
    ModelDeclaration after = withOptions(before, Map.of("x", "1"));
    ModelPlan plan =
        ModelPlanner.plan(
            declarations(after),
            List.of(
                engine("old", before, EngineState.READY, 0),
                engine("new", after, EngineState.READY, 0)));
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::line)
        .containsExactly(
            "stop qwen (old): declaration changed and max replicas is 1 (1 on the new revision, 0"
                + " replaced): not replaced, drained");
  }

  @Test
  void replacingDoesNotAlsoStartExtraReplicas() {
    ModelDeclaration before = model("qwen", 2, 2);
    ModelDeclaration after = withOptions(before, Map.of("x", "1"));
    ModelPlan plan =
        ModelPlanner.plan(
            declarations(after),
            List.of(
                engine("a", before, EngineState.READY, 0),
                engine("b", before, EngineState.READY, 0)));
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::kind, ModelPlan.Action::engineId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ModelPlan.Kind.REPLACE, "a"),
            org.assertj.core.groups.Tuple.tuple(ModelPlan.Kind.REPLACE, "b"));
  }

  @Test
  void aboveTheMaximumStopsTheLeastUsefulFirst() {
    ModelDeclaration qwen = model("qwen", 1, 1);
    ModelPlan plan =
        ModelPlanner.plan(
            declarations(qwen),
            List.of(
                engine("busy", qwen, EngineState.READY, 9),
                engine("quiet", qwen, EngineState.READY, 1),
                engine("loading", qwen, EngineState.STARTING, 0)));
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::line)
        .containsExactly(
            "stop qwen (loading): above max replicas (3 of at most 1)",
            "stop qwen (quiet): above max replicas (3 of at most 1)");
  }

  @Test
  void removedModelsAreStoppedBeforeDeclaredOnesAreStarted() {
    ModelDeclaration gone = model("gone", 1, 1);
    ModelDeclaration fresh = model("fresh", 1, 1);
    ModelPlan plan =
        ModelPlanner.plan(declarations(fresh), List.of(engine("e1", gone, EngineState.READY, 0)));
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::kind, ModelPlan.Action::model)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ModelPlan.Kind.STOP, "gone"),
            org.assertj.core.groups.Tuple.tuple(ModelPlan.Kind.START, "fresh"));
  }

  @Test
  void engineOfAnotherDeclaredModelDoesNotCountForThisOne() {
    ModelDeclaration a = model("a", 1, 1);
    ModelDeclaration b = model("b", 1, 1);
    ModelPlan plan =
        ModelPlanner.plan(declarations(a, b), List.of(engine("e1", a, EngineState.READY, 0)));
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::line)
        .containsExactly("start b: below min replicas (0 of 1 running)");
  }

  @Test
  void loweringMaxWithAChangeReplacesOnlyAsManyAsTheNewMaxAndStopsTheOldestSurplus() {
    ModelDeclaration before = model("qwen", 3, 3);
    ModelDeclaration after = withReplicas(withOptions(before, Map.of("x", "1")), 1, 1);
    List<EngineSnapshot> engines =
        List.of(
            engineAt("e2", before, EngineState.READY, 0, 2),
            engineAt("e1", before, EngineState.READY, 0, 1),
            engineAt("e3", before, EngineState.READY, 0, 3));
    ModelPlan plan = ModelPlanner.plan(declarations(after), engines);
    String surplus =
        "declaration changed and max replicas is 1 (0 on the new revision, 1 replaced): not"
            + " replaced, drained";
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::line)
        .containsExactly(
            "stop qwen (e1): " + surplus,
            "stop qwen (e2): " + surplus,
            "replace qwen (e3): declaration changed (revision "
                + before.revision()
                + " -> "
                + after.revision()
                + ")");
  }

  @Test
  void theSurplusOfARollOutIsTheLeastUsefulNotBusyOrReadyOnes() {
    ModelDeclaration before = model("qwen", 1, 3);
    ModelDeclaration after = withReplicas(withOptions(before, Map.of("x", "1")), 1, 2);
    List<EngineSnapshot> engines =
        List.of(
            engineAt("busy-old", before, EngineState.READY, 5, 1),
            engineAt("idle", before, EngineState.READY, 0, 2),
            engineAt("loading", before, EngineState.STARTING, 0, 3),
            engineAt("fresh", after, EngineState.READY, 0, 4));
    ModelPlan plan = ModelPlanner.plan(declarations(after), engines);
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::kind, ModelPlan.Action::engineId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ModelPlan.Kind.STOP, "loading"),
            org.assertj.core.groups.Tuple.tuple(ModelPlan.Kind.STOP, "idle"),
            org.assertj.core.groups.Tuple.tuple(ModelPlan.Kind.REPLACE, "busy-old"));
  }

  @Test
  void aRollOutPlansNeverMoreReplicasThanTheNewMaxAndTheNextPlanIsEmpty() {
    ModelDeclaration before = model("qwen", 0, 4);
    for (int max = 1; max <= 4; max++) {
      for (int running = 0; running <= 4; running++) {
        ModelDeclaration after = withReplicas(withOptions(before, Map.of("x", "1")), 0, max);
        List<EngineSnapshot> engines = new java.util.ArrayList<>();
        for (int i = 0; i < running; i++) {
          engines.add(engineAt("e" + i, before, EngineState.READY, i % 2, i));
        }
        ModelPlan plan = ModelPlanner.plan(declarations(after), engines);
        long replaced =
            plan.actions().stream().filter(a -> a.kind() == ModelPlan.Kind.REPLACE).count();
        long stopped = plan.actions().stream().filter(a -> a.kind() == ModelPlan.Kind.STOP).count();
        assertThat(replaced)
            .as("max %d, %d running", max, running)
            .isEqualTo(Math.min(max, running));
        assertThat(replaced + stopped).isEqualTo(running);
        // once carried out: only engines of the new revision, as many as were replaced
        List<EngineSnapshot> done = new java.util.ArrayList<>();
        for (int i = 0; i < replaced; i++) {
          done.add(engineAt("n" + i, after, EngineState.READY, 0, 10 + i));
        }
        assertThat(ModelPlanner.plan(declarations(after), done).actions()).isEmpty();
      }
    }
  }

  @Test
  void planningIsPureTheSameInputsGiveTheSamePlan() {
    ModelDeclaration qwen = model("qwen", 2, 2);
    List<EngineSnapshot> engines = List.of(engine("e1", qwen, EngineState.READY, 0));
    assertThat(ModelPlanner.plan(declarations(qwen), engines))
        .isEqualTo(ModelPlanner.plan(declarations(qwen), engines));
  }
}

package io.sage.host.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconciler on its own, on a real control plane with fake time, processes and probes. */
class ModelReconcilerTest {
  @TempDir static Path plugins;
  @TempDir Path data;
  ModelsHarness h;
  ModelReconciler reconciler;

  @BeforeAll
  static void compilePlugin() throws Exception {
    ModelsHarness.compilePlugin(plugins);
  }

  @BeforeEach
  void setUp() {
    h = new ModelsHarness(plugins, data);
    reconciler = new ModelReconciler(h.controlPlane, Replicas.local(h.controlPlane));
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static ModelDeclaration declared(String name, Object... keyValues) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("runtime", "tiny");
    fields.put("model", "m-" + name);
    for (int i = 0; i < keyValues.length; i += 2) {
      fields.put((String) keyValues[i], keyValues[i + 1]);
    }
    List<String> problems = new ArrayList<>();
    ModelDeclaration d =
        DeclarationParser.model(name, fields, Origin.FILE, "", problems).orElseThrow();
    assertThat(problems).isEmpty();
    return d;
  }

  private List<String> reasons(String engineId) {
    return h.controlPlane.events(engineId, 20).stream().map(EngineEvent::reason).toList();
  }

  private void stopAndWait(String id) {
    reconciler.stop(id, "test");
    h.scheduler.advanceUntil(
        () -> h.controlPlane.engine(id).state() == EngineState.STOPPED, Duration.ofSeconds(60));
  }

  /** Lets the engines STARTING now pass their probes (not the ones started later). */
  private void healStarting() {
    h.scheduler.runDue();
    for (EngineSnapshot e : h.inState("a", EngineState.STARTING)) {
      h.prober.healthy(e.record().baseUrl());
    }
  }

  @Test
  void startLaunchesAReplicaLabelledWithTheDeclaration() {
    ModelDeclaration a = declared("a");
    String id = reconciler.start(a, "below min replicas (0 of 1 running)");
    EngineSnapshot engine = h.controlPlane.engine(id);
    assertThat(engine.record().spec().label()).isEqualTo(a.label());
    assertThat(engine.record().spec().servedModelName()).isEqualTo("a");
    assertThat(ModelPlanner.declaredBy(engine).orElseThrow()).containsExactly("a", a.revision());
  }

  @Test
  void startRestartsAStoppedEngineOfTheSameRevisionRatherThanAddingOne() {
    ModelDeclaration a = declared("a");
    String first = reconciler.start(a, "first");
    stopAndWait(first);
    String again = reconciler.start(a, "again");
    assertThat(again).isEqualTo(first);
    assertThat(h.controlPlane.engines()).hasSize(1);
    assertThat(h.controlPlane.engine(first).state()).isEqualTo(EngineState.STARTING);
  }

  @Test
  void aStoppedEngineOfAnotherRevisionIsNotReused() {
    ModelDeclaration before = declared("a");
    ModelDeclaration after = declared("a", "options", Map.of("x", "1"));
    String old = reconciler.start(before, "first");
    stopAndWait(old);
    String fresh = reconciler.start(after, "changed");
    assertThat(fresh).isNotEqualTo(old);
    assertThat(h.controlPlane.engine(old).state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.controlPlane.engines()).hasSize(2);
  }

  @Test
  void aRefusedLaunchIsEmptyAndStartsNothing() {
    ModelDeclaration warp = declared("w", "runtime", "warp");
    assertThat(reconciler.tryStart(warp, "why")).isEmpty();
    assertThat(h.controlPlane.engines()).isEmpty();
  }

  @Test
  void stoppingAnUnknownEngineIsLoggedNotThrown() {
    CompletableFuture<Void> stop = reconciler.stop("eng-000000000000", "gone");
    assertThat(stop).isCompleted();
  }

  @Test
  void applyStopsWithTheReasonInTheEvent() {
    ModelDeclaration a = declared("a");
    String id = reconciler.start(a, "first");
    h.makeReady("a");
    ModelPlan plan =
        new ModelPlan(
            List.of(new ModelPlan.Action(ModelPlan.Kind.STOP, "a", id, "model 'a' is gone")),
            List.of());
    reconciler.apply(plan, Declarations.NONE);
    h.scheduler.advanceUntil(
        () -> h.controlPlane.engine(id).state() == EngineState.STOPPED, Duration.ofSeconds(60));
    assertThat(reasons(id)).anyMatch(r -> r.contains("model 'a' is gone"));
  }

  @Test
  void applyStartsOnlyDeclaredModels() {
    ModelDeclaration a = declared("a");
    ModelPlan plan =
        new ModelPlan(
            List.of(
                new ModelPlan.Action(ModelPlan.Kind.START, "a", null, "below min"),
                new ModelPlan.Action(ModelPlan.Kind.START, "ghost", null, "below min")),
            List.of());
    reconciler.apply(plan, ModelFixtures.declarations(a));
    assertThat(h.controlPlane.engines())
        .extracting(e -> e.record().spec().servedModelName())
        .containsExactly("a");
  }

  @Test
  void aReplacementThatCannotLaunchKeepsTheOldEngineAndSaysWhy() {
    ModelDeclaration before = declared("a");
    ModelDeclaration after = declared("a", "options", Map.of("x", "1"));
    String old = reconciler.start(before, "first");
    h.makeReady("a");
    h.processes.failNextLaunch("no more processes");
    reconciler.apply(
        new ModelPlan(
            List.of(new ModelPlan.Action(ModelPlan.Kind.REPLACE, "a", old, "changed")), List.of()),
        ModelFixtures.declarations(after));
    h.scheduler.advanceUntil(
        () -> reconciler.rolloutError("a").isPresent(), Duration.ofSeconds(30));
    assertThat(reconciler.rolloutError("a").orElseThrow())
        .startsWith("roll-out stopped: ")
        .endsWith("; " + old + " keeps serving");
    assertThat(h.controlPlane.engine(old).state()).isEqualTo(EngineState.READY);
  }

  @Test
  void aReplacementOfAnEngineNoLongerLiveDoesNothing() {
    ModelDeclaration before = declared("a");
    ModelDeclaration after = declared("a", "options", Map.of("x", "1"));
    String old = reconciler.start(before, "first");
    stopAndWait(old);
    reconciler.apply(
        new ModelPlan(
            List.of(new ModelPlan.Action(ModelPlan.Kind.REPLACE, "a", old, "changed")), List.of()),
        ModelFixtures.declarations(after));
    h.scheduler.runDue();
    assertThat(h.controlPlane.engines()).hasSize(1);
    assertThat(reconciler.rolloutError("a")).isEmpty();
  }

  @Test
  void replacementsOfOneModelGoOneAtATime() {
    ModelDeclaration before = declared("a", "replicas", 2);
    ModelDeclaration after = declared("a", "replicas", 2, "options", Map.of("x", "1"));
    String old1 = reconciler.start(before, "first");
    String old2 = reconciler.start(before, "second");
    h.makeReady("a");
    reconciler.apply(
        new ModelPlan(
            List.of(
                new ModelPlan.Action(ModelPlan.Kind.REPLACE, "a", old1, "changed"),
                new ModelPlan.Action(ModelPlan.Kind.REPLACE, "a", old2, "changed")),
            List.of()),
        ModelFixtures.declarations(after));
    h.scheduler.runDue();
    // one new engine while the first replacement waits for READY
    assertThat(h.inState("a", EngineState.STARTING)).hasSize(1);
    assertThat(h.inState("a", EngineState.READY))
        .extracting(EngineSnapshot::id)
        .contains(old1, old2);
    healStarting();
    h.scheduler.advanceUntil(
        () -> h.controlPlane.engine(old1).state() == EngineState.STOPPED, Duration.ofSeconds(60));
    h.scheduler.runDue();
    // only then the second: old2 still serves while its replacement loads
    assertThat(h.inState("a", EngineState.STARTING)).hasSize(1);
    assertThat(h.controlPlane.engine(old2).state()).isEqualTo(EngineState.READY);
    healStarting();
    h.scheduler.advanceUntil(
        () -> h.controlPlane.engine(old2).state() == EngineState.STOPPED, Duration.ofSeconds(60));
    assertThat(h.live("a"))
        .hasSize(2)
        .allSatisfy(
            e ->
                assertThat(ModelPlanner.declaredBy(e).orElseThrow()[1])
                    .isEqualTo(after.revision()));
    assertThat(reasons(old1)).anyMatch(r -> r.contains("rolling update"));
    assertThat(reconciler.rolloutError("a")).isEmpty();
  }
}

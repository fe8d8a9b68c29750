package io.sage.host.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.EngineLease;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineState;
import io.sage.host.management.StartRequest;
import io.sage.host.store.ModelStore;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
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

/** Declared models on a real control plane with fake time, processes and probes. */
class DeclaredModelsTest {
  @TempDir static Path plugins;
  @TempDir Path data;
  ModelsHarness h;

  @BeforeAll
  static void compilePlugin() throws Exception {
    ModelsHarness.compilePlugin(plugins);
  }

  @BeforeEach
  void setUp() {
    h = new ModelsHarness(plugins, data);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static Map<String, Object> model(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runtime", "tiny");
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  private static Declarations file(Map<String, Object> models, Map<String, Object> groups) {
    List<String> problems = new ArrayList<>();
    Declarations d = Declarations.parse(models, groups, Origin.FILE, problems);
    assertThat(problems).isEmpty();
    return d;
  }

  private List<String> reasons(String engineId) {
    return h.controlPlane.events(engineId, 20).stream().map(EngineEvent::reason).toList();
  }

  @Test
  void startAppliesTheFileStoresItAndLeavesHandStartedEnginesAlone() {
    EngineSnapshot byHand =
        h.controlPlane.startEngine(
            new StartRequest(
                "own", null, "tiny", null, null, null, null, null, null, List.of(), Map.of()),
            "alice");
    ModelPlan plan =
        h.models.start(
            file(
                Map.of(
                    "a", model("model", "m-a", "aliases", List.of("alpha")),
                    "b", model("model", "m-b", "on_demand", true)),
                null));
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::line)
        .containsExactly("start a: below min replicas (0 of 1 running)");
    assertThat(h.live("a")).hasSize(1);
    assertThat(h.live("b")).isEmpty();
    assertThat(h.modelStore.findAll())
        .extracting(r -> r.name() + "/" + r.origin())
        .containsExactlyInAnyOrder("a/file", "b/file");
    assertThat(h.models.resolve("alpha").orElseThrow().name()).isEqualTo("a");
    assertThat(h.controlPlane.engine(byHand.id()).state()).isEqualTo(EngineState.STARTING);
    // removing every declaration stops only the declared engine
    h.models.applyFile(Declarations.NONE);
    h.scheduler.runDue();
    assertThat(h.live("a")).isEmpty();
    assertThat(h.controlPlane.engine(byHand.id()).state()).isEqualTo(EngineState.STARTING);
  }

  @Test
  void aPlanChangesNothingAndARefusedFileLeavesEverythingAsItWas() {
    h.models.start(file(Map.of("a", model("model", "m1")), null));
    String engine = h.live("a").get(0).id();
    ModelPlan plan =
        h.models.planFile(file(Map.of("a", model("model", "m2"), "c", model("model", "m3")), null));
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::kind)
        .containsExactlyInAnyOrder(ModelPlan.Kind.REPLACE, ModelPlan.Kind.START);
    assertThat(plan.actions())
        .filteredOn(a -> a.kind() == ModelPlan.Kind.REPLACE)
        .singleElement()
        .satisfies(a -> assertThat(a.reason()).startsWith("declaration changed (revision "));
    assertThat(h.controlPlane.engines()).hasSize(1);
    assertThat(h.models.declarations().model("c")).isEmpty();

    ModelPlan refused =
        h.models.applyFile(
            file(
                Map.of("a", model("model", "m1"), "x", model("model", "m", "runtime", "warp")),
                null));
    assertThat(refused.problems())
        .singleElement()
        .asString()
        .startsWith("models.x.runtime: unknown runtime 'warp'");
    assertThat(h.models.declarations().model("x")).isEmpty();
    assertThat(h.live("a")).extracting(EngineSnapshot::id).containsExactly(engine);
  }

  @Test
  void aFileModelCannotBeChangedThroughTheApi() {
    h.models.start(file(Map.of("a", model("model", "m1")), null));
    ModelDeclaration api =
        DeclarationParser.model("a", model("model", "m2"), Origin.API, "", new ArrayList<>())
            .orElseThrow();
    assertThatThrownBy(() -> h.models.put(api))
        .isInstanceOf(SageException.class)
        .hasMessageContaining("declared in the config file");
  }

  @Test
  void requestsWaitForAnOnDemandStartAndLeaveInArrivalOrder() {
    h.models.start(
        file(Map.of("b", model("model", "m", "on_demand", true, "max_waiting", 3)), null));
    ModelDeclaration b = h.models.resolve("b").orElseThrow();
    List<Integer> released = new ArrayList<>();
    List<CompletableFuture<Void>> waiters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      CompletableFuture<Void> w = h.models.awaitReady(b);
      w.thenRun(() -> released.add(n));
      waiters.add(w);
    }
    h.scheduler.runDue();
    assertThat(h.live("b")).hasSize(1); // one launch for all of them
    assertThat(h.models.status("b").orElseThrow().state()).isEqualTo(ModelState.LOADING);
    assertThatThrownBy(() -> h.models.awaitReady(b))
        .isInstanceOfSatisfying(
            ModelBusyException.class, e -> assertThat(e.retryAfterSeconds()).isPositive())
        .hasMessageContaining("3 requests already wait");
    // a client that goes away leaves the queue
    waiters.get(1).cancel(true);
    assertThat(h.models.status("b").orElseThrow().waiting()).isEqualTo(2);
    h.makeReady("b");
    h.scheduler.runDue();
    assertThat(released).containsExactly(0, 2);
    assertThat(h.models.status("b").orElseThrow().state()).isEqualTo(ModelState.RUNNING);
    assertThat(h.models.awaitReady(b)).isCompleted();
    assertThat(h.modelStore.recentLoads("b", 5)).hasSize(1);
  }

  @Test
  void aFailedLoadAnswersTheWaitersWithTheEnginesReason() {
    h.models.start(file(Map.of("b", model("model", "m", "on_demand", true)), null));
    CompletableFuture<Void> w = h.models.awaitReady(h.models.resolve("b").orElseThrow());
    h.scheduler.advanceUntil(w::isDone, Duration.ofSeconds(120));
    assertThatThrownBy(w::join)
        .hasCauseInstanceOf(SageException.class)
        .hasMessageContaining("model 'b' failed to load: startup timeout");
    // the next request tries again with the same engine rather than waiting for nothing
    String failed = h.controlPlane.engines().get(0).id();
    CompletableFuture<Void> again = h.models.awaitReady(h.models.resolve("b").orElseThrow());
    h.scheduler.runDue();
    assertThat(h.controlPlane.engine(failed).state()).isEqualTo(EngineState.STARTING);
    assertThat(h.controlPlane.engines()).hasSize(1);
    h.makeReady("b");
    h.scheduler.runDue();
    assertThat(again).isCompleted();
  }

  @Test
  void anIdleModelIsUnloadedWithTheReasonAndWokenByTheNextRequest() {
    h.models.start(
        file(Map.of("b", model("model", "m", "on_demand", true, "idle_timeout", "10m")), null));
    ModelDeclaration b = h.models.resolve("b").orElseThrow();
    h.models.awaitReady(b);
    h.makeReady("b");
    String engine = h.inState("b", EngineState.READY).get(0).id();
    h.advance(Duration.ofMinutes(9));
    assertThat(h.controlPlane.engine(engine).state()).isEqualTo(EngineState.READY);
    h.scheduler.advanceUntil(
        () -> h.controlPlane.engine(engine).state() == EngineState.STOPPED, Duration.ofMinutes(2));
    assertThat(reasons(engine)).anyMatch(r -> r.contains("idle for 10m"));
    assertThat(h.models.status("b").orElseThrow().state()).isEqualTo(ModelState.IDLE);
    CompletableFuture<Void> wake = h.models.awaitReady(b);
    h.makeReady("b");
    h.scheduler.runDue();
    assertThat(wake).isCompleted();
  }

  @Test
  void aFullGroupSwapsOutTheLeastRecentlyUsedModelButNeverCutsInFlightRequests() {
    h.models.start(
        file(
            Map.of(
                "a", model("model", "ma", "on_demand", true, "group", "g"),
                "b", model("model", "mb", "on_demand", true, "group", "g")),
            Map.of("g", Map.of("max_loaded", 1))));
    ModelDeclaration a = h.models.resolve("a").orElseThrow();
    ModelDeclaration b = h.models.resolve("b").orElseThrow();
    h.models.awaitReady(a);
    h.makeReady("a");
    EngineLease busy = h.controlPlane.route("a", EngineKind.LLM, List.of()).orElseThrow();
    CompletableFuture<Void> wantB = h.models.awaitReady(b);
    h.advance(Duration.ofSeconds(5));
    // a has a request in flight: it keeps running, b waits
    assertThat(h.inState("a", EngineState.READY)).hasSize(1);
    assertThat(h.live("b")).isEmpty();
    busy.close();
    h.scheduler.advanceUntil(() -> !h.live("b").isEmpty(), Duration.ofSeconds(60));
    assertThat(h.live("a")).isEmpty();
    assertThat(reasons(h.inState("a", EngineState.STOPPED).get(0).id()))
        .anyMatch(r -> r.contains("swapped out for b (group g, max_loaded 1)"));
    h.makeReady("b");
    h.scheduler.runDue();
    assertThat(wantB).isCompleted();
  }

  @Test
  void replicasFollowTheLoadBetweenMinAndMax() {
    h.models.start(
        file(
            Map.of(
                "r",
                model("model", "m", "replicas", Map.of("min", 1, "max", 3), "target_in_flight", 2)),
            null));
    h.makeReady("r");
    List<EngineLease> leases = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      leases.add(h.controlPlane.route("r", EngineKind.LLM, List.of()).orElseThrow());
    }
    h.scheduler.advanceUntil(() -> h.live("r").size() == 2, Duration.ofSeconds(10));
    String added = h.inState("r", EngineState.STARTING).get(0).id();
    assertThat(reasons(added)).anyMatch(r -> r.contains("scale up to 2: 5 in flight on 1 READY"));
    h.makeReady("r");
    // 5 on 2 engines is still above 2 per engine: a third, never a fourth
    h.scheduler.advanceUntil(() -> h.live("r").size() == 3, Duration.ofSeconds(10));
    h.makeReady("r");
    h.advance(Duration.ofSeconds(10));
    assertThat(h.live("r")).hasSize(3);
    leases.forEach(EngineLease::close);
    h.scheduler.advanceUntil(() -> h.live("r").size() == 1, Duration.ofSeconds(60));
    h.advance(Duration.ofSeconds(30));
    assertThat(h.live("r")).hasSize(1);
  }

  @Test
  void aRollingUpdateReplacesOneReplicaAfterTheNewOneIsReady() {
    h.models.start(file(Map.of("a", model("model", "m1")), null));
    h.makeReady("a");
    String old = h.live("a").get(0).id();
    h.models.applyFile(file(Map.of("a", model("model", "m2")), null));
    h.scheduler.runDue();
    assertThat(h.live("a")).hasSize(2);
    assertThat(h.controlPlane.engine(old).state()).isEqualTo(EngineState.READY);
    h.makeReady("a");
    h.scheduler.advanceUntil(
        () -> h.controlPlane.engine(old).state() == EngineState.STOPPED, Duration.ofSeconds(60));
    assertThat(h.live("a"))
        .singleElement()
        .satisfies(e -> assertThat(e.record().spec().model()).isEqualTo("m2"));
    assertThat(reasons(old)).anyMatch(r -> r.contains("rolling update"));
  }

  @Test
  void aFailedRollOutKeepsTheOldEngineServingAndSaysWhy() {
    h.models.start(file(Map.of("a", model("model", "m1")), null));
    h.makeReady("a");
    String old = h.live("a").get(0).id();
    h.models.applyFile(file(Map.of("a", model("model", "m2")), null));
    // the new engine never passes a probe: the startup timeout fails it
    h.scheduler.advanceUntil(() -> h.models.rolloutError("a").isPresent(), Duration.ofSeconds(120));
    h.advance(Duration.ofSeconds(30));
    assertThat(h.controlPlane.engine(old).state()).isEqualTo(EngineState.READY);
    assertThat(h.models.rolloutError("a").orElseThrow())
        .contains("startup timeout")
        .endsWith(old + " keeps serving");
    assertThat(h.live("a")).extracting(EngineSnapshot::id).containsExactly(old);
  }

  @Test
  void loweringMaxWithAChangeRollsOutWithinTheNewMaxPlusTheOneStarting() {
    h.models.start(file(Map.of("r", model("model", "m1", "replicas", 3)), null));
    h.makeReady("r");
    assertThat(h.inState("r", EngineState.READY)).hasSize(3);
    ModelPlan plan =
        h.models.planFile(file(Map.of("r", model("model", "m2", "replicas", 1)), null));
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::kind)
        .containsExactly(ModelPlan.Kind.STOP, ModelPlan.Kind.STOP, ModelPlan.Kind.REPLACE);
    assertThat(h.models.applyFile(file(Map.of("r", model("model", "m2", "replicas", 1)), null)))
        .isEqualTo(plan);
    int[] most = {0};
    java.util.function.BooleanSupplier watch =
        () -> {
          most[0] = Math.max(most[0], h.live("r").size());
          return false;
        };
    h.scheduler.runDue();
    watch.getAsBoolean();
    h.makeReady("r");
    h.scheduler.advanceUntil(
        () ->
            watch.getAsBoolean()
                || h.controlPlane.engines().stream()
                    .filter(e -> e.record().spec().model().equals("m1"))
                    .allMatch(e -> e.state() == EngineState.STOPPED),
        Duration.ofSeconds(60));
    h.advance(Duration.ofSeconds(20));
    watch.getAsBoolean();
    assertThat(most[0]).as("replicas at once during the roll-out").isEqualTo(2);
    assertThat(h.live("r"))
        .singleElement()
        .satisfies(e -> assertThat(e.record().spec().model()).isEqualTo("m2"));
    assertThat(h.models.reconcile().actions()).as("the next apply").isEmpty();
  }

  @Test
  void anApiModelNamingAGroupTheFileDoesNotDeclareIsRefusedAndChangesNothing() {
    h.models.start(file(Map.of("a", model("model", "m1")), Map.of("g", Map.of("max_loaded", 1))));
    List<ModelStore.Row> stored = h.modelStore.findAll();
    ModelDeclaration api =
        DeclarationParser.model(
                "x",
                model("model", "m2", "on_demand", true, "group", "nope"),
                Origin.API,
                "",
                new ArrayList<>())
            .orElseThrow();
    assertThatThrownBy(() -> h.models.put(api))
        .isInstanceOfSatisfying(
            SageException.class,
            e -> {
              assertThat(e.code()).isEqualTo(io.sage.spi.ErrorCode.INVALID_REQUEST);
              assertThat(e.param()).isEqualTo("group");
            })
        .hasMessage(
            "group 'nope' is not declared; groups are declared only in the config file's groups:"
                + " section, so declare it there first (declared: g)");
    assertThat(h.models.declarations().model("x")).isEmpty();
    assertThat(h.modelStore.findAll()).isEqualTo(stored);
    assertThat(h.controlPlane.engines()).hasSize(1);
  }

  @Test
  void aStoredRowThatNoLongerReadsDoesNotStopTheStart() {
    java.time.Instant now = h.scheduler.now();
    String fields = "{\"model\":\"m\",\"runtime\":\"tiny\"}";
    h.modelStore.replaceAll(
        List.of(
            new ModelStore.Row("model", "ghost", "robot", fields, now),
            new ModelStore.Row("model", "nobody", null, fields, now),
            new ModelStore.Row("model", "kept", "api", fields, now)));
    ModelPlan plan = h.models.start(null);
    assertThat(plan.actions())
        .extracting(ModelPlan.Action::line)
        .containsExactly("start kept: below min replicas (0 of 1 running)");
    assertThat(h.models.declarations().models())
        .extracting(ModelDeclaration::name)
        .containsExactly("kept");
    assertThat(h.live("kept")).hasSize(1);
  }
}

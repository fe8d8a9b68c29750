package io.sage.host.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.sage.host.EngineLease;
import io.sage.host.engine.EngineState;
import io.sage.spi.engine.EngineKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wiring behind DeclaredModels: store rows, status and the one timer. */
class ModelsTest {
  @TempDir static Path plugins;
  @TempDir Path data;
  ModelsHarness h;
  Declarations current = Declarations.NONE;
  Models models;

  @BeforeAll
  static void compilePlugin() throws Exception {
    ModelsHarness.compilePlugin(plugins);
  }

  @BeforeEach
  void setUp() {
    h = new ModelsHarness(plugins, data);
    models = new Models(h.controlPlane, h.modelStore, () -> current);
    h.controlPlane.addListener(models.listener());
  }

  @AfterEach
  void tearDown() {
    models.close();
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
        DeclarationParser.model(name, fields, Origin.API, "", problems).orElseThrow();
    assertThat(problems).isEmpty();
    return d;
  }

  @Test
  void whatIsSavedLoadsBack() {
    ModelDeclaration a = declared("a", "on_demand", true, "group", "g", "idle_timeout", "5m");
    Declarations d = new Declarations(List.of(a), List.of(new ModelGroup("g", 1, Origin.API)));
    models.save(d);
    assertThat(h.modelStore.findAll()).hasSize(2);
    assertThat(models.load()).isEqualTo(d);
    models.save(Declarations.NONE);
    assertThat(models.load()).isEqualTo(Declarations.NONE);
  }

  @Test
  void aModelWithNothingRunningIsIdle() {
    ModelStatus s = models.status(declared("a", "on_demand", true), h.controlPlane.engines());
    assertThat(s.state()).isEqualTo(ModelState.IDLE);
    assertThat(s.readyEngines()).isZero();
    assertThat(s.engines()).isZero();
    assertThat(s.waiting()).isZero();
    assertThat(s.lastUsed()).isNull();
  }

  @Test
  void aStartingEngineIsLoadingAndAReadyOneRunning() {
    ModelDeclaration a = declared("a");
    current = ModelFixtures.declarations(a);
    models.apply(ModelPlanner.plan(current, h.controlPlane.engines()), current);
    assertThat(models.status(a, h.controlPlane.engines()).state()).isEqualTo(ModelState.LOADING);
    h.makeReady("a");
    ModelStatus running = models.status(a, h.controlPlane.engines());
    assertThat(running.state()).isEqualTo(ModelState.RUNNING);
    assertThat(running.readyEngines()).isEqualTo(1);
    assertThat(running.engines()).isEqualTo(1);
  }

  @Test
  void aWaitingRequestMakesAnIdleModelLoading() {
    ModelDeclaration a = declared("a", "on_demand", true);
    current = ModelFixtures.declarations(a);
    models.awaitReady(a);
    ModelStatus s = models.status(a, h.controlPlane.engines());
    assertThat(s.waiting()).isEqualTo(1);
    assertThat(s.state()).isEqualTo(ModelState.LOADING);
  }

  @Test
  void theStatusCountsInFlightRequestsOfTheModelsEnginesOnly() {
    ModelDeclaration a = declared("a");
    current = ModelFixtures.declarations(a);
    models.apply(ModelPlanner.plan(current, h.controlPlane.engines()), current);
    h.makeReady("a");
    EngineLease one = h.controlPlane.route("a", EngineKind.LLM, List.of()).orElseThrow();
    EngineLease two = h.controlPlane.route("a", EngineKind.LLM, List.of()).orElseThrow();
    assertThat(models.status(a, h.controlPlane.engines()).inFlight()).isEqualTo(2);
    assertThat(models.status(declared("b"), h.controlPlane.engines()).inFlight()).isZero();
    one.close();
    two.close();
    assertThat(models.status(a, h.controlPlane.engines()).inFlight()).isZero();
  }

  @Test
  void theTimerUnloadsIdleModels() {
    ModelDeclaration a = declared("a", "on_demand", true, "idle_timeout", "1m");
    current = ModelFixtures.declarations(a);
    models.startTimers();
    CompletableFuture<Void> ready = models.awaitReady(a);
    h.makeReady("a");
    h.scheduler.runDue();
    assertThat(ready).isCompleted();
    String id = h.inState("a", EngineState.READY).get(0).id();
    h.advance(Duration.ofSeconds(50));
    assertThat(h.controlPlane.engine(id).state()).isEqualTo(EngineState.READY);
    h.scheduler.advanceUntil(
        () -> h.controlPlane.engine(id).state() == EngineState.STOPPED, Duration.ofSeconds(60));
    assertThat(models.status(a, h.controlPlane.engines()).state()).isEqualTo(ModelState.IDLE);
  }

  @Test
  void aFailingCheckIsLoggedAndTheTimerGoesOn() {
    AtomicInteger calls = new AtomicInteger();
    Supplier<Declarations> failing =
        () -> {
          calls.incrementAndGet();
          throw new IllegalStateException("store is gone");
        };
    try (Models broken = new Models(h.controlPlane, h.modelStore, failing)) {
      assertThatCode(broken::tick).doesNotThrowAnyException();
      broken.startTimers();
      h.advance(Models.TICK.multipliedBy(4));
      assertThat(calls.get()).isGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void closeStopsTheTimer() {
    AtomicInteger calls = new AtomicInteger();
    try (Models counted =
        new Models(
            h.controlPlane,
            h.modelStore,
            () -> {
              calls.incrementAndGet();
              return Declarations.NONE;
            })) {
      counted.startTimers();
      h.advance(Models.TICK.multipliedBy(2));
      assertThat(calls.get()).isEqualTo(2);
      counted.close();
      h.advance(Models.TICK.multipliedBy(10));
      assertThat(calls.get()).isEqualTo(2);
    }
  }

  @Test
  void closingBeforeTheTimersStartIsHarmless() {
    assertThatCode(new Models(h.controlPlane, h.modelStore, () -> current)::close)
        .doesNotThrowAnyException();
  }
}

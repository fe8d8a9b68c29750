package io.sage.host.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.EngineLease;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineState;
import io.sage.spi.engine.EngineKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idle unload driven by hand (no timer), on a real control plane with fake time and processes. */
class IdleUnloadTest {
  @TempDir static Path plugins;
  @TempDir Path data;
  ModelsHarness h;
  ModelReconciler reconciler;
  OnDemand demand;
  IdleUnload idle;
  Declarations declarations;

  @BeforeAll
  static void compilePlugin() throws Exception {
    ModelsHarness.compilePlugin(plugins);
  }

  @BeforeEach
  void setUp() {
    h = new ModelsHarness(plugins, data);
    reconciler = new ModelReconciler(h.controlPlane, Replicas.local(h.controlPlane));
    demand =
        new OnDemand(h.controlPlane, h.scheduler, h.modelStore, reconciler, () -> declarations);
    idle = new IdleUnload(demand);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private ModelDeclaration declare(String name, Object... keyValues) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("runtime", "tiny");
    fields.put("model", "m-" + name);
    fields.put("on_demand", true);
    for (int i = 0; i < keyValues.length; i += 2) {
      fields.put((String) keyValues[i], keyValues[i + 1]);
    }
    List<String> problems = new ArrayList<>();
    ModelDeclaration d =
        DeclarationParser.model(name, fields, Origin.FILE, "", problems).orElseThrow();
    assertThat(problems).isEmpty();
    declarations = (declarations == null ? Declarations.NONE : declarations).with(d);
    return d;
  }

  private String running(ModelDeclaration d) {
    String id = reconciler.start(d, "test");
    h.makeReady(d.name());
    return id;
  }

  private void check() {
    idle.check(declarations, h.controlPlane.engines(), h.scheduler.now());
    h.scheduler.runDue();
  }

  private EngineState state(String id) {
    return h.controlPlane.engine(id).state();
  }

  @Test
  void anEngineRunningBeforeAnyRequestCountsFromTheFirstCheck() {
    ModelDeclaration a = declare("a", "idle_timeout", "90s");
    String id = running(a);
    assertThat(demand.lastUsed("a")).isEmpty();
    check();
    assertThat(demand.lastUsed("a")).contains(h.scheduler.now());
    h.advance(Duration.ofSeconds(89));
    check();
    assertThat(state(id)).isEqualTo(EngineState.READY);
  }

  @Test
  void unloadsOnceIdleForTheTimeoutWithTheReason() {
    ModelDeclaration a = declare("a", "idle_timeout", "90s");
    String id = running(a);
    demand.used("a");
    h.advance(Duration.ofSeconds(90));
    check();
    h.scheduler.advanceUntil(() -> state(id) == EngineState.STOPPED, Duration.ofSeconds(60));
    assertThat(h.controlPlane.events(id, 20).stream().map(EngineEvent::reason))
        .anyMatch(r -> r.contains("idle for 90s"));
  }

  @Test
  void aRecentRequestKeepsItLoaded() {
    ModelDeclaration a = declare("a", "idle_timeout", "1m");
    String id = running(a);
    demand.used("a");
    h.advance(Duration.ofSeconds(50));
    demand.used("a");
    h.advance(Duration.ofSeconds(50));
    check();
    assertThat(state(id)).isEqualTo(EngineState.READY);
  }

  @Test
  void aRequestInFlightKeepsItLoadedHoweverLongItTakes() {
    ModelDeclaration a = declare("a", "idle_timeout", "1m");
    String id = running(a);
    demand.used("a");
    EngineLease lease = h.controlPlane.route("a", EngineKind.LLM, List.of()).orElseThrow();
    h.advance(Duration.ofMinutes(10));
    check();
    assertThat(state(id)).isEqualTo(EngineState.READY);
    lease.close();
    check();
    h.scheduler.advanceUntil(() -> state(id) == EngineState.STOPPED, Duration.ofSeconds(60));
  }

  @Test
  void aModelWithoutIdleTimeoutIsNeverUnloaded() {
    ModelDeclaration a = declare("a");
    String id = running(a);
    demand.used("a");
    for (int hour = 0; hour < 6; hour++) {
      h.advance(Duration.ofHours(1));
      check();
      assertThat(state(id)).isEqualTo(EngineState.READY);
    }
  }

  @Test
  void onlyTheIdleModelIsUnloaded() {
    ModelDeclaration a = declare("a", "idle_timeout", "1m");
    ModelDeclaration b = declare("b", "idle_timeout", "10m");
    String ida = running(a);
    String idb = running(b);
    demand.used("a");
    demand.used("b");
    h.advance(Duration.ofMinutes(2));
    check();
    h.scheduler.advanceUntil(() -> state(ida) == EngineState.STOPPED, Duration.ofSeconds(60));
    assertThat(state(idb)).isEqualTo(EngineState.READY);
  }
}

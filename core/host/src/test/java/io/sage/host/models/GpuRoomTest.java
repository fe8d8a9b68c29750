package io.sage.host.models;

import static io.sage.host.models.ModelFixtures.T0;
import static io.sage.host.models.ModelFixtures.engine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.EngineLease;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineState;
import io.sage.host.plugin.TestPluginJars;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Making room on the GPUs for an on-demand model: the rule on its own, then on a real control plane
 * with a test GPU provider (one GPU of 10000 MiB) and a runtime whose engines need {@code mib} of
 * it.
 */
class GpuRoomTest {

  private static ModelDeclaration declared(String name, String group) {
    return ModelFixtures.inGroup(ModelFixtures.model(name, 0, 1), group, 1);
  }

  private static EngineSnapshot onGpu(
      String id, ModelDeclaration d, EngineState state, int inFlight) {
    return onGpu(engine(id, d, state, inFlight));
  }

  private static EngineSnapshot onGpu(EngineSnapshot e) {
    return new EngineSnapshot(
        e.record().withPlacement(e.record().placement().withGpus(List.of(0), 7000), T0),
        e.inFlight());
  }

  /** The pure rule: which engine drains, or whether to wait or refuse. */
  @Nested
  class Rule {
    final ModelDeclaration a = declared("a", "g");
    final ModelDeclaration b = declared("b", "g");
    final ModelDeclaration c = declared("c", "g");
    final ModelDeclaration other = declared("other", "h");
    final Declarations all = new Declarations(List.of(a, b, c, other), List.of());
    final Map<String, Instant> used = new HashMap<>();
    final Map<String, Integer> waiting = new HashMap<>();

    GpuRoom.Decision decide(ModelDeclaration d, EngineSnapshot... engines) {
      return GpuRoom.decide(
          d,
          all,
          List.of(engines),
          m -> used.getOrDefault(m, Instant.EPOCH),
          m -> waiting.getOrDefault(m, 0));
    }

    @Test
    void aModelWithoutAGroupIsRefused() {
      ModelDeclaration loner = declared("loner", null);
      assertThat(decide(loner, onGpu("e1", a, EngineState.READY, 0)).step())
          .isEqualTo(GpuRoom.Step.REFUSE);
    }

    @Test
    void theLeastRecentlyUsedIdleEngineOfTheGroupDrains() {
      used.put("a", T0.plusSeconds(50));
      used.put("c", T0.plusSeconds(10));
      EngineSnapshot byHand =
          onGpu(engine("hand", "x", null, EngineState.READY, DesiredState.RUNNING, 0));
      GpuRoom.Decision next =
          decide(
              b,
              byHand,
              onGpu("of-other-group", other, EngineState.READY, 0),
              engine("no-gpus", c, EngineState.READY, 0),
              onGpu("a1", a, EngineState.READY, 0),
              onGpu("c1", c, EngineState.READY, 0));
      assertThat(next.step()).isEqualTo(GpuRoom.Step.DRAIN);
      assertThat(next.engine().id()).isEqualTo("c1");
    }

    @Test
    void busyWantedOrLeavingEnginesAreNeverDrainedTheNewcomerWaits() {
      waiting.put("c", 2);
      for (EngineSnapshot busy :
          List.of(
              onGpu("a1", a, EngineState.READY, 3),
              onGpu("a2", a, EngineState.STARTING, 0),
              onGpu("a3", a, EngineState.DRAINING, 0),
              onGpu("c1", c, EngineState.READY, 0))) {
        assertThat(decide(b, busy).step()).as(busy.id()).isEqualTo(GpuRoom.Step.WAIT);
      }
      assertThat(
              decide(b, onGpu("a1", a, EngineState.READY, 3), onGpu("a4", a, EngineState.READY, 0)))
          .satisfies(d -> assertThat(d.engine().id()).isEqualTo("a4"));
    }

    @Test
    void nothingOfTheGroupHoldingGpusIsARefusal() {
      assertThat(decide(b).step()).isEqualTo(GpuRoom.Step.REFUSE);
      assertThat(
              decide(
                      b,
                      onGpu("of-other-group", other, EngineState.READY, 0),
                      onGpu("stopped", a, EngineState.STOPPED, 0),
                      onGpu("own", b, EngineState.READY, 0))
                  .step())
          .isEqualTo(GpuRoom.Step.REFUSE);
    }

    @Test
    void aLaunchIsHeldBackUntilTheDrainedEngineStoppedOrTheGroupIsIdle() {
      GpuRoom room = new GpuRoom();
      EngineSnapshot a1 = onGpu("a1", a, EngineState.READY, 0);
      room.took("b", decide(b, a1));
      assertThat(holdsBack(room, a1)).isTrue();
      assertThat(holdsBack(room, onGpu("a1", a, EngineState.DRAINING, 0))).isTrue();
      assertThat(holdsBack(room, onGpu("a1", a, EngineState.STOPPED, 0))).isFalse();
      assertThat(holdsBack(room, a1)).as("forgotten once it stopped").isFalse();

      EngineSnapshot busy = onGpu("a1", a, EngineState.READY, 4);
      room.took("b", decide(b, busy));
      assertThat(holdsBack(room, busy)).isTrue();
      assertThat(holdsBack(room, a1)).as("idle now: try again").isFalse();
      room.took("b", decide(b, busy));
      room.forget("b");
      assertThat(holdsBack(room, busy)).isFalse();
    }

    private boolean holdsBack(GpuRoom room, EngineSnapshot... engines) {
      return room.holdsBack(
          b,
          all,
          List.of(engines),
          m -> used.getOrDefault(m, Instant.EPOCH),
          m -> waiting.getOrDefault(m, 0));
    }
  }

  /** On a real control plane: the drains, the waits and the refusals as requests see them. */
  @Nested
  class OnAControlPlane {
    @TempDir Path data;
    ModelsHarness h;

    @BeforeEach
    void setUp() {
      h = new ModelsHarness(plugins, data);
    }

    @AfterEach
    void tearDown() {
      h.close();
    }

    private Declarations file(Map<String, Object> models, Map<String, Object> groups) {
      List<String> problems = new ArrayList<>();
      Declarations d = Declarations.parse(models, groups, Origin.FILE, problems);
      assertThat(problems).isEmpty();
      return d;
    }

    private Map<String, Object> big(String group, int mib) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", "weights-" + mib);
      m.put("runtime", "gputiny");
      m.put("on_demand", true);
      m.put("gpu", 1);
      m.put("options", Map.of("mib", Integer.toString(mib)));
      if (group != null) {
        m.put("group", group);
      }
      return m;
    }

    private void startTwoOfOneGroup() {
      Map<String, Object> models = new LinkedHashMap<>();
      models.put("a", big("g", 7000));
      models.put("b", big("g", 7000));
      models.put("loner", big(null, 7000));
      models.put("huge", big("solo", 20000));
      h.models.start(
          file(models, Map.of("g", Map.of("max_loaded", 2), "solo", Map.of("max_loaded", 1))));
    }

    private ModelDeclaration model(String name) {
      return h.models.resolve(name).orElseThrow();
    }

    private List<String> reasons(String engineId) {
      return h.controlPlane.events(engineId, 20).stream().map(EngineEvent::reason).toList();
    }

    /** Asks for the model and lets it load; returns its READY engine. */
    private String load(String name) {
      CompletableFuture<Void> wait = h.models.awaitReady(model(name));
      h.scheduler.advanceUntil(
          () -> !h.inState(name, EngineState.STARTING).isEmpty() || wait.isDone(),
          Duration.ofSeconds(60));
      h.makeReady(name);
      h.scheduler.runDue();
      assertThat(wait).as(name + " answered").isCompletedWithValue(null);
      return h.inState(name, EngineState.READY).get(0).id();
    }

    @Test
    void alternatingRequestsDrainTheOtherModelEachTimeAndNoneFails() {
      startTwoOfOneGroup();
      String a = load("a");
      assertThat(h.controlPlane.engine(a).record().gpuIds()).containsExactly(0);
      String b = load("b");
      assertThat(h.controlPlane.engine(a).state()).isEqualTo(EngineState.STOPPED);
      assertThat(reasons(a))
          .anyMatch(r -> r.contains("making room on the GPUs for b (group g)"))
          .anyMatch(r -> r.contains("needs 1 GPU(s) with 7000 MiB free each"));
      for (int round = 0; round < 3; round++) {
        assertThat(load("a")).isEqualTo(a); // the stopped engine is restarted
        assertThat(h.controlPlane.engine(b).state()).isEqualTo(EngineState.STOPPED);
        assertThat(load("b")).isEqualTo(b);
        assertThat(h.controlPlane.engine(a).state()).isEqualTo(EngineState.STOPPED);
      }
      assertThat(h.controlPlane.engines()).hasSize(2);
    }

    @Test
    void anEngineWithRequestsInFlightIsNeverDrainedTheNewcomerWaits() {
      startTwoOfOneGroup();
      String a = load("a");
      EngineLease busy = h.controlPlane.route("a", EngineKind.LLM, List.of()).orElseThrow();
      CompletableFuture<Void> wantB = h.models.awaitReady(model("b"));
      h.advance(Duration.ofSeconds(20));
      assertThat(h.controlPlane.engine(a).state()).isEqualTo(EngineState.READY);
      assertThat(h.live("b")).isEmpty();
      assertThat(wantB).isNotDone();
      assertThat(h.models.status("b").orElseThrow().waiting()).isEqualTo(1);
      busy.close();
      h.scheduler.advanceUntil(() -> !h.live("b").isEmpty(), Duration.ofSeconds(60));
      assertThat(h.controlPlane.engine(a).state()).isEqualTo(EngineState.STOPPED);
      h.makeReady("b");
      h.scheduler.runDue();
      assertThat(wantB).isCompletedWithValue(null);
    }

    @Test
    void withNothingToGiveUpTheWaitersGet503WithWhatWasNeededAndWhatIsFree() {
      startTwoOfOneGroup();
      String a = load("a");
      CompletableFuture<Void> loner = h.models.awaitReady(model("loner"));
      h.scheduler.advanceUntil(loner::isDone, Duration.ofSeconds(10));
      assertThatThrownBy(loner::join)
          .hasCauseInstanceOf(SageException.class)
          .hasMessageContaining("model 'loner' cannot be started")
          .hasMessageContaining("needs 1 GPU(s) with 7000 MiB free each")
          .hasMessageContaining("free now: GPU0 3000 MiB");
      // a model of its own group: nothing else of the group holds GPUs
      CompletableFuture<Void> huge = h.models.awaitReady(model("huge"));
      h.scheduler.advanceUntil(huge::isDone, Duration.ofSeconds(10));
      assertThatThrownBy(huge::join)
          .hasMessageContaining("needs 1 GPU(s) with 20000 MiB free each")
          .hasMessageContaining("no other engine of group 'solo' holds GPUs to give up");
      assertThat(h.controlPlane.engine(a).state()).isEqualTo(EngineState.READY);
    }
  }

  @TempDir static Path plugins;

  @BeforeAll
  static void compilePlugins() throws Exception {
    TestPluginJars.jar(
        plugins,
        "gpus",
        ">=1.0.0",
        Map.of(
            "t.gpus.GpuTiny",
            TestPluginJars.runtime(
                "t.gpus",
                "GpuTiny",
                "gputiny",
                "  public boolean usesGpus() { return true; }\n"
                    + "  public Optional<GpuMemoryRequest> gpuMemoryNeed(EngineSpec s) {\n"
                    + "    return Optional.of(new GpuMemoryRequest("
                    + "Long.parseLong(s.options().get(\"mib\")), \"option mib\"));\n"
                    + "  }\n"),
            "t.gpus.OneGpu",
            "package t.gpus;\n"
                + "import io.sage.spi.gpu.*;\n"
                + "import java.util.*;\n"
                + "@org.pf4j.Extension\n"
                + "public class OneGpu implements GpuProvider {\n"
                + "  public String name() { return \"one-gpu\"; }\n"
                + "  public GpuStatus status() { return GpuStatus.ok(\"one test GPU\"); }\n"
                + "  public List<GpuDevice> devices() {\n"
                + "    return List.of(new GpuDevice(0, \"GPU-t-0\", \"Test GPU\", 10000, 0, 0, null,"
                + " null, List.of()));\n"
                + "  }\n"
                + "}\n"),
        List.of("t.gpus.GpuTiny", "t.gpus.OneGpu"));
  }
}

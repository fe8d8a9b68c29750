package io.sage.host.models;

import static io.sage.host.models.ModelFixtures.T0;
import static io.sage.host.models.ModelFixtures.declarations;
import static io.sage.host.models.ModelFixtures.engine;
import static io.sage.host.models.ModelFixtures.model;
import static io.sage.host.models.ModelFixtures.withTarget;
import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import io.sage.host.fake.ManualScheduler;
import io.sage.host.models.ReplicaScaler.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scaling rules on their own: the decisions and the work queued for them (the queued work is
 * never run here; DeclaredModelsTest runs it against a control plane).
 */
class ReplicaScalerTest {
  private final ManualScheduler scheduler = new ManualScheduler(T0);
  private final java.util.Set<String> rollingOut = new java.util.HashSet<>();
  private final ReplicaScaler scaler = new ReplicaScaler(null, scheduler, rollingOut::contains);
  private final ModelDeclaration qwen = withTarget(model("qwen", 1, 3), 4);

  private static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  private List<EngineSnapshot> ready(int... inFlight) {
    EngineSnapshot[] out = new EngineSnapshot[inFlight.length];
    for (int i = 0; i < inFlight.length; i++) {
      out[i] = engine("e" + i, qwen, EngineState.READY, inFlight[i]);
    }
    return List.of(out);
  }

  @Test
  void scalesUpOnlyOnceTheLoadStayedAboveTheTargetForUpAfter() {
    List<EngineSnapshot> busy = ready(5);
    assertThat(scaler.decide(qwen, busy, at(0))).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, busy, at(2))).isEqualTo(Decision.NONE);
    assertThat(scheduler.pending()).isZero();
    assertThat(scaler.decide(qwen, busy, at(0).plus(ReplicaScaler.UP_AFTER)))
        .isEqualTo(Decision.UP);
    assertThat(scheduler.pending()).isEqualTo(1);
  }

  @Test
  void afterAStepTheClockStartsAgain() {
    List<EngineSnapshot> busy = ready(5);
    scaler.decide(qwen, busy, at(0));
    assertThat(scaler.decide(qwen, busy, at(3))).isEqualTo(Decision.UP);
    assertThat(scaler.decide(qwen, busy, at(4))).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, busy, at(6))).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, busy, at(7))).isEqualTo(Decision.UP);
  }

  @Test
  void aMomentAtTheTargetResetsTheUpClock() {
    scaler.decide(qwen, ready(5), at(0));
    assertThat(scaler.decide(qwen, ready(4), at(2)))
        .as("exactly the target")
        .isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, ready(5), at(3))).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, ready(5), at(5))).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, ready(5), at(6))).isEqualTo(Decision.UP);
  }

  @Test
  void theLoadIsPerReadyEngine() {
    // 9 in flight on two engines is 4.5 each, above 4; 8 is exactly 4, not above
    scaler.decide(qwen, ready(9, 0), at(0));
    assertThat(scaler.decide(qwen, ready(9, 0), at(3))).isEqualTo(Decision.UP);
    scaler.decide(qwen, ready(4, 4), at(10));
    assertThat(scaler.decide(qwen, ready(4, 4), at(20))).isEqualTo(Decision.NONE);
  }

  @Test
  void neverScalesAboveTheMaximum() {
    List<EngineSnapshot> full = ready(50, 50, 50);
    for (int s = 0; s <= 60; s += 3) {
      assertThat(scaler.decide(qwen, full, at(s))).isEqualTo(Decision.NONE);
    }
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void nothingWhileAReplicaIsStartingOrDraining() {
    for (EngineState settling : List.of(EngineState.STARTING, EngineState.DRAINING)) {
      ReplicaScaler fresh = new ReplicaScaler(null, scheduler, m -> false);
      List<EngineSnapshot> engines =
          List.of(engine("a", qwen, EngineState.READY, 40), engine("b", qwen, settling, 0));
      for (int s = 0; s <= 30; s++) {
        assertThat(fresh.decide(qwen, engines, at(s))).as(settling.name()).isEqualTo(Decision.NONE);
      }
    }
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void aSettlingReplicaResetsTheClock() {
    scaler.decide(qwen, ready(5), at(0));
    List<EngineSnapshot> settling =
        List.of(
            engine("a", qwen, EngineState.READY, 5), engine("b", qwen, EngineState.STARTING, 0));
    scaler.decide(qwen, settling, at(2));
    assertThat(scaler.decide(qwen, ready(5), at(3))).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, ready(5), at(6))).isEqualTo(Decision.UP);
  }

  @Test
  void nothingWithoutAReadyEngine() {
    List<EngineSnapshot> none = List.of(engine("a", qwen, EngineState.ERROR, 30));
    assertThat(scaler.decide(qwen, none, at(0))).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, none, at(100))).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, List.of(), at(200))).isEqualTo(Decision.NONE);
  }

  @Test
  void scalesDownOnceTheLoadStayedBelowHalfTheTargetForDownAfter() {
    List<EngineSnapshot> quiet = ready(1, 2);
    assertThat(scaler.decide(qwen, quiet, at(0))).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, quiet, at(9))).isEqualTo(Decision.NONE);
    assertThat(scheduler.pending()).isZero();
    assertThat(scaler.decide(qwen, quiet, at(0).plus(ReplicaScaler.DOWN_AFTER)))
        .isEqualTo(Decision.DOWN);
    assertThat(scheduler.pending()).isEqualTo(1);
  }

  @Test
  void exactlyHalfTheTargetIsNotBelowIt() {
    List<EngineSnapshot> half = ready(2, 2);
    for (int s = 0; s <= 30; s += 5) {
      assertThat(scaler.decide(qwen, half, at(s))).isEqualTo(Decision.NONE);
    }
  }

  @Test
  void aBusyMomentResetsTheDownClock() {
    scaler.decide(qwen, ready(0, 0), at(0));
    scaler.decide(qwen, ready(4, 4), at(8));
    assertThat(scaler.decide(qwen, ready(0, 0), at(10))).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, ready(0, 0), at(19))).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, ready(0, 0), at(20))).isEqualTo(Decision.DOWN);
  }

  @Test
  void neverScalesBelowTheMinimumNorBelowOneForAnOnDemandModel() {
    ModelDeclaration two = withTarget(model("qwen", 2, 3), 4);
    ModelDeclaration onDemand = withTarget(model("qwen", 0, 3), 4);
    List<EngineSnapshot> idlePair = ready(0, 0);
    List<EngineSnapshot> idleOne = ready(0);
    for (int s = 0; s <= 60; s += 10) {
      assertThat(scaler.decide(two, idlePair, at(s))).isEqualTo(Decision.NONE);
      assertThat(scaler.decide(onDemand, idleOne, at(s))).isEqualTo(Decision.NONE);
    }
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void moreThanTheMaximumStepsDownAtOnceEvenWithAMaximumOfOne() {
    ModelDeclaration single = withTarget(model("qwen", 1, 1), 4);
    List<EngineSnapshot> three = ready(0, 7, 0);
    assertThat(scaler.decide(single, three, at(0))).isEqualTo(Decision.DOWN);
    assertThat(scheduler.pending()).isEqualTo(1);
    // also through check, which looks at every model
    scaler.check(declarations(single), three, at(1));
    assertThat(scheduler.pending()).isEqualTo(2);
    assertThat(scaler.decide(single, ready(3), at(2))).isEqualTo(Decision.NONE);
  }

  @Test
  void nothingWhileTheModelIsInARollingUpdate() {
    ModelDeclaration single = withTarget(model("qwen", 1, 1), 4);
    rollingOut.add("qwen");
    for (int s = 0; s <= 30; s += 3) {
      assertThat(scaler.decide(single, ready(0, 0), at(s))).isEqualTo(Decision.NONE);
      assertThat(scaler.decide(qwen, ready(50), at(s))).isEqualTo(Decision.NONE);
    }
    assertThat(scheduler.pending()).isZero();
    rollingOut.clear();
    assertThat(scaler.decide(single, ready(0, 0), at(31))).isEqualTo(Decision.DOWN);
  }

  @Test
  void checkLeavesModelsWithoutScalingRoomAlone() {
    ModelDeclaration single = withTarget(model("single", 1, 1), 1);
    List<EngineSnapshot> busy = List.of(engine("s", single, EngineState.READY, 100));
    for (int s = 0; s <= 10; s++) {
      scaler.check(declarations(single), busy, at(s));
    }
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void checkScalesEachModelOnItsOwnLoad() {
    ModelDeclaration other = withTarget(model("other", 1, 3), 4);
    List<EngineSnapshot> engines =
        List.of(
            engine("q", qwen, EngineState.READY, 20),
            engine("o", other, EngineState.READY, 1),
            engine("o2", other, EngineState.STARTING, 0));
    scaler.check(declarations(qwen, other), engines, at(0));
    scaler.check(declarations(qwen, other), engines, at(3));
    assertThat(scheduler.pending()).isEqualTo(1);
    assertThat(scaler.decide(other, engines, at(30))).isEqualTo(Decision.NONE);
  }

  @Test
  void handStartedEnginesAreNotPartOfTheLoad() {
    List<EngineSnapshot> engines =
        List.of(
            engine("q", qwen, EngineState.READY, 0),
            engine(
                "h",
                "qwen",
                null,
                EngineState.READY,
                io.sage.host.engine.DesiredState.RUNNING,
                99));
    scaler.decide(qwen, engines, at(0));
    assertThat(scaler.decide(qwen, engines, at(Duration.ofMinutes(1).toSeconds())))
        .isEqualTo(Decision.NONE);
  }

  @Test
  void theOtherNodesInFlightRequestsCountWithThisNodes() {
    // this node has 1 in flight on the one engine; the other nodes 4 more: 5 is above 4
    List<EngineSnapshot> engines = ready(1);
    assertThat(scaler.decide(qwen, engines, at(0), 4)).isEqualTo(Decision.NONE);
    assertThat(scaler.decide(qwen, engines, at(3), 4)).isEqualTo(Decision.UP);
    // and without them the same engine is not busy at all
    ReplicaScaler alone = new ReplicaScaler(null, scheduler, m -> false);
    assertThat(alone.decide(qwen, engines, at(0))).isEqualTo(Decision.NONE);
    assertThat(alone.decide(qwen, engines, at(3))).isEqualTo(Decision.NONE);
  }
}

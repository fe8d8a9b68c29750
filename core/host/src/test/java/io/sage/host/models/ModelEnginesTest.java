package io.sage.host.models;

import static io.sage.host.models.ModelFixtures.engine;
import static io.sage.host.models.ModelFixtures.model;
import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.EngineSnapshot;
import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineState;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelEnginesTest {
  private final ModelDeclaration qwen = model("qwen", 0, 2);
  private final ModelDeclaration other = model("other", 0, 2);

  @Test
  void hasReadyLooksAtTheServedNameOfReadyEngines() {
    assertThat(ModelEngines.hasReady(qwen, List.of())).isFalse();
    assertThat(ModelEngines.hasReady(qwen, List.of(engine("e", qwen, EngineState.STARTING, 0))))
        .isFalse();
    assertThat(ModelEngines.hasReady(qwen, List.of(engine("e", other, EngineState.READY, 0))))
        .isFalse();
    assertThat(ModelEngines.hasReady(qwen, List.of(engine("e", qwen, EngineState.READY, 0))))
        .isTrue();
    // an engine started by hand under the same served name answers too
    EngineSnapshot byHand = engine("h", "qwen", null, EngineState.READY, DesiredState.RUNNING, 0);
    assertThat(ModelEngines.hasReady(qwen, List.of(byHand))).isTrue();
  }

  @Test
  void loadingMeansADeclaredEngineStartingOrReady() {
    for (EngineState state : EngineState.values()) {
      boolean expected = state == EngineState.STARTING || state == EngineState.READY;
      assertThat(ModelEngines.loading("qwen", List.of(engine("e", qwen, state, 0))))
          .as(state.name())
          .isEqualTo(expected);
    }
  }

  @Test
  void aFailedEngineIsNotLoadingEvenWhileItIsMeantToRun() {
    EngineSnapshot failed =
        engine("e", "qwen", qwen.label(), EngineState.ERROR, DesiredState.RUNNING, 0);
    assertThat(ModelEngines.loading("qwen", List.of(failed))).isFalse();
    assertThat(ModelEngines.hasLive("qwen", List.of(failed))).isTrue();
  }

  @Test
  void handStartedEnginesDoNotCountAsTheDeclaredModelsEngines() {
    EngineSnapshot byHand = engine("h", "qwen", null, EngineState.READY, DesiredState.RUNNING, 7);
    List<EngineSnapshot> engines = List.of(byHand);
    assertThat(ModelEngines.loading("qwen", engines)).isFalse();
    assertThat(ModelEngines.hasLive("qwen", engines)).isFalse();
    assertThat(ModelEngines.holdsEngines("qwen", engines)).isFalse();
    assertThat(ModelEngines.inFlight("qwen", engines)).isZero();
  }

  @Test
  void holdsEnginesIncludesDrainingButNotStopped() {
    List<EngineSnapshot> draining = List.of(engine("e", qwen, EngineState.DRAINING, 0));
    assertThat(ModelEngines.holdsEngines("qwen", draining)).isTrue();
    assertThat(ModelEngines.hasLive("qwen", draining)).isFalse();
    assertThat(
            ModelEngines.holdsEngines("qwen", List.of(engine("e", qwen, EngineState.STOPPED, 0))))
        .isFalse();
    EngineSnapshot givenUp =
        engine("e", "qwen", qwen.label(), EngineState.ERROR, DesiredState.STOPPED, 0);
    assertThat(ModelEngines.holdsEngines("qwen", List.of(givenUp))).isFalse();
  }

  @Test
  void inFlightSumsEveryEngineOfTheModelWhateverItsState() {
    List<EngineSnapshot> engines =
        List.of(
            engine("a", qwen, EngineState.READY, 3),
            engine("b", qwen, EngineState.DRAINING, 2),
            engine("c", other, EngineState.READY, 100));
    assertThat(ModelEngines.inFlight("qwen", engines)).isEqualTo(5);
    assertThat(ModelEngines.inFlight("other", engines)).isEqualTo(100);
    assertThat(ModelEngines.inFlight("none", engines)).isZero();
  }

  @Test
  void anEngineOfAnOldRevisionStillBelongsToTheModel() {
    EngineSnapshot old =
        engine(
            "old",
            "qwen",
            "declared model qwen rev 00000000",
            EngineState.READY,
            DesiredState.RUNNING,
            1);
    assertThat(ModelEngines.loading("qwen", List.of(old))).isTrue();
    assertThat(ModelEngines.inFlight("qwen", List.of(old))).isEqualTo(1);
  }
}

package io.sage.host.cluster;

import static io.sage.host.cluster.ClusterFixtures.T0;
import static io.sage.host.cluster.ClusterFixtures.engine;
import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import io.sage.host.management.StartRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The leader's view of the declared models' engines across the nodes (docs/cluster.md). */
class ClusterReplicasTest {
  private static final String LABEL = "declared model qwen rev 1c9e04aa";

  private static StartRequest start() {
    return new StartRequest(
        "org/qwen", "llm", "mock", null, null, null, false, "qwen", LABEL, List.of(), Map.of());
  }

  @Test
  void aStartWrittenButNotLaunchedCountsAsAStartingEngineOfItsNode() {
    EngineCommand start =
        EngineCommand.pending(
            "node-b",
            "eng-00000000000f",
            CommandAction.START,
            CommandArguments.start(start()),
            "models",
            T0);

    List<EngineSnapshot> view =
        ClusterReplicas.view(List.of(start), List.of(), Set.of("node-a", "node-b"), Map.of(), T0);

    assertThat(view).hasSize(1);
    assertThat(view.get(0).id()).isEqualTo("eng-00000000000f");
    assertThat(view.get(0).state()).isEqualTo(EngineState.STARTING);
    assertThat(view.get(0).record().spec().label()).isEqualTo(LABEL);
    assertThat(view.get(0).nodeId()).isEqualTo("node-b");
  }

  @Test
  void aStartWhoseEngineExistsCountsOnceAsTheEngine() {
    EngineCommand start =
        EngineCommand.pending(
            "node-b",
            "eng-00000000000f",
            CommandAction.START,
            CommandArguments.start(start()),
            "models",
            T0);
    ClusterEngine row =
        new ClusterEngine("node-b", engine("eng-00000000000f", EngineState.READY, 41000, 0));

    List<EngineSnapshot> view =
        ClusterReplicas.view(
            List.of(start), List.of(row), Set.of("node-b"), Map.of("eng-00000000000f", 3), T0);

    assertThat(view).hasSize(1);
    assertThat(view.get(0).state()).isEqualTo(EngineState.READY);
    assertThat(view.get(0).inFlight()).isEqualTo(3);
  }

  @Test
  void stopsAndRestartsOnTheirWayCountAsDone() {
    ClusterEngine ready =
        new ClusterEngine("node-b", engine("eng-00000000000a", EngineState.READY, 41000, 0));
    ClusterEngine stopped =
        new ClusterEngine("node-b", engine("eng-00000000000b", EngineState.STOPPED, 41001, 0));
    EngineCommand stop =
        EngineCommand.pending("node-b", "eng-00000000000a", CommandAction.STOP, "{}", "models", T0);
    EngineCommand restart =
        EngineCommand.pending(
            "node-b", "eng-00000000000b", CommandAction.RESTART, "{}", "models", T0);

    List<EngineSnapshot> view =
        ClusterReplicas.view(
            List.of(stop, restart), List.of(ready, stopped), Set.of("node-b"), Map.of(), T0);

    assertThat(view)
        .extracting(EngineSnapshot::state)
        .containsExactly(EngineState.DRAINING, EngineState.STARTING);
  }

  @Test
  void theEndedEnginesOfANodeThatIsNotUpAreLeftOutItsRunningOnesCount() {
    ClusterEngine failed =
        new ClusterEngine("node-b", engine("eng-00000000000a", EngineState.ERROR, 41000, 0));
    ClusterEngine serving =
        new ClusterEngine("node-b", engine("eng-00000000000b", EngineState.READY, 41001, 0));
    ClusterEngine failedHere =
        new ClusterEngine("node-a", engine("eng-00000000000c", EngineState.ERROR, 41002, 0));

    List<EngineSnapshot> view =
        ClusterReplicas.view(
            List.of(), List.of(failed, serving, failedHere), Set.of("node-a"), Map.of(), T0);

    assertThat(view)
        .extracting(EngineSnapshot::id)
        .containsExactly("eng-00000000000b", "eng-00000000000c");
  }
}

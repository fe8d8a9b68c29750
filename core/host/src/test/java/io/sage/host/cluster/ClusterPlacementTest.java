package io.sage.host.cluster;

import static io.sage.host.cluster.ClusterFixtures.T0;
import static io.sage.host.cluster.ClusterFixtures.engine;
import static io.sage.host.cluster.ClusterFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.engine.EngineState;
import io.sage.host.gpu.GpuMemoryNeed;
import io.sage.host.gpu.GpuRequest;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterPlacementTest {

  private static Optional<GpuRequest> gpus(int count, long mib) {
    return Optional.of(new GpuRequest(List.of(), count, new GpuMemoryNeed(mib, "test")));
  }

  @Test
  void anEngineWithoutGpusGoesToTheNodeRunningFewestEngines() {
    List<Node> up = List.of(node("a", T0), node("b", T0), node("c", T0));
    List<ClusterEngine> engines =
        List.of(
            new ClusterEngine("a", engine("e1", EngineState.READY, 1, 0)),
            new ClusterEngine("b", engine("e2", EngineState.READY, 2, 0)),
            new ClusterEngine("b", engine("e3", EngineState.STARTING, 3, 0)),
            // stopped engines hold nothing
            new ClusterEngine("c", engine("e4", EngineState.STOPPED, 4, 0)));

    assertThat(ClusterPlacement.choose(up, engines, Optional.empty(), "x")).isEqualTo("c");
  }

  @Test
  void tiesGoToTheSmallestNodeId() {
    List<Node> up = List.of(node("b", T0), node("a", T0));

    assertThat(ClusterPlacement.choose(up, List.of(), Optional.empty(), "x")).isEqualTo("a");
  }

  @Test
  void gpusGoByBestFitOverEveryNodeMinusWhatItsEnginesHold() {
    // a: one 80 GiB GPU with 60 GiB held; b: an empty 80 GiB GPU; c: an empty 40 GiB GPU
    List<Node> up = List.of(node("a", T0, 81920), node("b", T0, 81920), node("c", T0, 40960));
    List<ClusterEngine> engines =
        List.of(new ClusterEngine("a", engine("e1", EngineState.READY, 1, 61440, 0)));

    // 30 GiB: c (40 GiB free) leaves the least unused
    assertThat(ClusterPlacement.choose(up, engines, gpus(1, 30720), "x")).isEqualTo("c");
    // 50 GiB: only b has room
    assertThat(ClusterPlacement.choose(up, engines, gpus(1, 51200), "x")).isEqualTo("b");
    // 15 GiB: a's 20 GiB left is the tightest fit
    assertThat(ClusterPlacement.choose(up, engines, gpus(1, 15360), "x")).isEqualTo("a");
  }

  @Test
  void tensorParallelNeedsThatManyGpusWithRoomOnOneNode() {
    List<Node> up = List.of(node("a", T0, 81920), node("b", T0, 81920, 81920));

    assertThat(ClusterPlacement.choose(up, List.of(), gpus(2, 40960), "x")).isEqualTo("b");
  }

  @Test
  void explicitGpuIdsMustExistAndHaveRoomOnTheNode() {
    List<Node> up = List.of(node("a", T0, 81920), node("b", T0, 81920, 81920));
    List<ClusterEngine> engines =
        List.of(new ClusterEngine("b", engine("e1", EngineState.ERROR, 1, 61440, 1)));
    Optional<GpuRequest> gpu1 =
        Optional.of(new GpuRequest(List.of(1), 1, new GpuMemoryNeed(30720, "test")));

    // b's GPU 1 is held by an ERROR engine (it keeps its GPUs); a has no GPU 1
    assertThatThrownBy(() -> ClusterPlacement.choose(up, engines, gpu1, "engine eng-1"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GPU_UNAVAILABLE))
        .hasMessageContaining("no node has room for engine eng-1")
        .hasMessageContaining("b: GPU 0 81920 MiB free, GPU 1 20480 MiB free")
        .hasMessageContaining("a: GPU 0 81920 MiB free");
  }

  @Test
  void noNodeUpIsA503() {
    assertThatThrownBy(() -> ClusterPlacement.choose(List.of(), List.of(), Optional.empty(), "x"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NODE_UNAVAILABLE));
  }
}

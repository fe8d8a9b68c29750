package io.sage.host.cluster;

import static io.sage.host.cluster.ClusterFixtures.T0;
import static io.sage.host.cluster.ClusterFixtures.engine;
import static io.sage.host.cluster.ClusterFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.engine.EngineState;
import io.sage.host.fake.ManualScheduler;
import io.sage.host.gpu.GpuMemoryNeed;
import io.sage.host.gpu.GpuRequest;
import io.sage.host.management.StartRequest;
import io.sage.host.store.NodeStore;
import io.sage.host.store.StaleLeaderException;
import io.sage.spi.SageException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PendingStartsTest {
  private final ManualScheduler scheduler = new ManualScheduler(T0.plusSeconds(600));
  private final InMemoryClusterStore store = new InMemoryClusterStore();
  private final List<Node> nodes = new ArrayList<>();
  private final NodeStore nodeStore =
      new NodeStore() {
        @Override
        public void register(Node node) {}

        @Override
        public boolean heartbeat(String id, Instant at) {
          return true;
        }

        @Override
        public List<Node> findAll() {
          return List.copyOf(nodes);
        }
      };
  private final PendingStarts starts =
      new PendingStarts(
          store,
          nodeStore,
          scheduler,
          Duration.ofSeconds(30),
          request -> {
            if ("bad".equals(request.model())) {
              throw SageException.invalid("model", "model 'bad' is refused");
            }
            return "big".equals(request.model())
                ? Optional.of(
                    new GpuRequest(List.of(), 1, new GpuMemoryNeed(61440, "gpu_memory_gb")))
                : Optional.empty();
          });

  private static StartRequest request(String model) {
    return new StartRequest(
        model, "llm", "vllm", null, null, null, null, null, null, List.of(), Map.of());
  }

  private EngineCommand unplaced(String model) {
    return store.submit(
        EngineCommand.pending(
            "",
            "eng-00000000000" + model.length(),
            CommandAction.START,
            CommandArguments.start(request(model)),
            "admin via node a",
            scheduler.now()));
  }

  private LeaderLease lead(String node) {
    return store.acquire(node, scheduler.now(), Duration.ofSeconds(6)).orElseThrow();
  }

  @Test
  void theLeaderPlacesAWaitingStartOnANodeWithRoomThatIsUp() {
    Instant now = scheduler.now();
    nodes.add(node("a", now, 81920));
    nodes.add(node("b", now, 81920));
    nodes.add(node("c", now.minusSeconds(60), 81920)); // lost: never chosen
    store.put("a", engine("eng-1", EngineState.READY, 9001, 61440, 0));
    EngineCommand start = unplaced("big");
    LeaderLease lease = lead("a");

    assertThat(starts.placeAll(lease)).isEqualTo(1);

    EngineCommand placed = store.command(start.id()).orElseThrow();
    assertThat(placed.nodeId()).isEqualTo("b");
    assertThat(placed.leaderToken()).isEqualTo(lease.token());
    assertThat(placed.state()).isEqualTo(CommandState.PENDING);
    assertThat(store.unplaced()).isEmpty();
  }

  @Test
  void aStartThatFitsNowhereFailsWithTheReason() {
    nodes.add(node("a", scheduler.now(), 40960));
    EngineCommand start = unplaced("big");

    starts.placeAll(lead("a"));

    EngineCommand failed = store.command(start.id()).orElseThrow();
    assertThat(failed.state()).isEqualTo(CommandState.FAILED);
    assertThat(failed.error().code()).isEqualTo("GPU_UNAVAILABLE");
    assertThat(failed.error().message()).contains("no node has room");
  }

  @Test
  void aRequestTheLeaderRefusesFailsWithItsError() {
    nodes.add(node("a", scheduler.now()));
    EngineCommand start = unplaced("bad");

    starts.placeAll(lead("a"));

    EngineCommand failed = store.command(start.id()).orElseThrow();
    assertThat(failed.error().code()).isEqualTo("INVALID_REQUEST");
    assertThat(failed.error().param()).isEqualTo("model");
  }

  @Test
  void aDeposedLeaderPlacesNothing() {
    nodes.add(node("a", scheduler.now()));
    EngineCommand start = unplaced("small");
    LeaderLease old = lead("a");
    store.release(old);
    lead("b");

    assertThatThrownBy(() -> starts.placeAll(old)).isInstanceOf(StaleLeaderException.class);
    assertThat(store.command(start.id()).orElseThrow().isPlaced()).isFalse();
  }
}

package io.sage.host.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.fake.ManualScheduler;
import io.sage.host.store.NodeStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class NodeHeartbeatTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration INTERVAL = Duration.ofSeconds(5);
  private final ManualScheduler scheduler = new ManualScheduler(START);
  private final InMemoryNodeStore store = new InMemoryNodeStore();
  private final Node self =
      new Node(
          "node-a",
          "http://10.0.0.1:8000",
          "0.1.0",
          List.of(new NodeGpu(0, "H100", 81559)),
          Instant.EPOCH,
          Instant.EPOCH);

  /** The port as a map; it can be told to fail, as an unreachable database does. */
  static final class InMemoryNodeStore implements NodeStore {
    final Map<String, Node> rows = new TreeMap<>();
    final List<String> calls = new ArrayList<>();
    boolean down;

    @Override
    public synchronized void register(Node node) {
      check("register");
      rows.put(node.id(), node);
    }

    @Override
    public synchronized boolean heartbeat(String id, Instant at) {
      check("heartbeat");
      Node node = rows.get(id);
      if (node == null) {
        return false;
      }
      rows.put(id, node.seenAt(at));
      return true;
    }

    @Override
    public synchronized List<Node> findAll() {
      check("findAll");
      return List.copyOf(rows.values());
    }

    private void check(String call) {
      calls.add(call);
      if (down) {
        throw new IllegalStateException("connection refused");
      }
    }
  }

  @Test
  void startRegistersTheNodeAtTheSchedulersTime() {
    NodeHeartbeat heartbeat = new NodeHeartbeat(store, scheduler, self, INTERVAL);

    heartbeat.start();

    Node registered = store.rows.get("node-a");
    assertThat(registered.startedAt()).isEqualTo(START);
    assertThat(registered.lastSeenAt()).isEqualTo(START);
    assertThat(registered.gpus()).containsExactly(new NodeGpu(0, "H100", 81559));
    assertThat(registered.address()).isEqualTo("http://10.0.0.1:8000");
  }

  @Test
  void everyIntervalMovesLastSeenAndNothingElse() {
    new NodeHeartbeat(store, scheduler, self, INTERVAL).start();

    scheduler.advance(Duration.ofSeconds(4));
    assertThat(store.rows.get("node-a").lastSeenAt()).isEqualTo(START);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(store.rows.get("node-a").lastSeenAt()).isEqualTo(START.plusSeconds(5));
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(store.rows.get("node-a").lastSeenAt()).isEqualTo(START.plusSeconds(15));
    assertThat(store.rows.get("node-a").startedAt()).isEqualTo(START);
  }

  @Test
  void aFailingStoreIsRetriedAtTheNextTickAndTheNodeComesBack() {
    new NodeHeartbeat(store, scheduler, self, INTERVAL).start();
    store.down = true;

    scheduler.advance(Duration.ofSeconds(20));
    assertThat(store.calls).filteredOn("heartbeat"::equals).hasSize(4);
    store.down = false;
    scheduler.advance(INTERVAL);

    assertThat(store.rows.get("node-a").lastSeenAt()).isEqualTo(START.plusSeconds(25));
    Node seen = store.rows.get("node-a");
    assertThat(seen.state(START.plusSeconds(25), Duration.ofSeconds(30))).isEqualTo(NodeState.UP);
  }

  @Test
  void aNodeWhoseRowWasRemovedRegistersAgain() {
    new NodeHeartbeat(store, scheduler, self, INTERVAL).start();
    store.rows.clear();

    scheduler.advance(INTERVAL);

    assertThat(store.rows.get("node-a").startedAt()).isEqualTo(START.plusSeconds(5));
  }

  @Test
  void aStoreThatFailsAtStartFailsTheStart() {
    store.down = true;

    assertThatThrownBy(() -> new NodeHeartbeat(store, scheduler, self, INTERVAL).start())
        .hasMessageContaining("connection refused");
  }

  @Test
  void closeStopsTheHeartbeats() {
    NodeHeartbeat heartbeat = new NodeHeartbeat(store, scheduler, self, INTERVAL);
    heartbeat.start();

    heartbeat.close();
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(store.rows.get("node-a").lastSeenAt()).isEqualTo(START);
  }

  @Test
  void aNodeIsLostOnceSilentLongerThanTheWindow() {
    Node node = self.seenAt(START);
    Duration window = Duration.ofSeconds(30);

    assertThat(node.state(START.plusSeconds(30), window)).isEqualTo(NodeState.UP);
    assertThat(node.state(START.plusSeconds(31), window)).isEqualTo(NodeState.LOST);
  }

  @Test
  void nodeIdsAreChecked() {
    assertThatThrownBy(() -> Node.requireValidId("-bad")).hasMessageContaining("'-bad'");
    assertThatThrownBy(() -> Node.requireValidId("a b")).hasMessageContaining("node id");
    assertThat(Node.requireValidId("gpu-host-1.example_2")).isEqualTo("gpu-host-1.example_2");
  }
}

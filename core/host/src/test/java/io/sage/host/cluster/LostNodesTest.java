package io.sage.host.cluster;

import static io.sage.host.cluster.ClusterFixtures.T0;
import static io.sage.host.cluster.ClusterFixtures.engine;
import static io.sage.host.cluster.ClusterFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.engine.EngineState;
import io.sage.host.fake.ManualScheduler;
import io.sage.host.fake.ScriptedProber;
import io.sage.host.store.NodeStore;
import io.sage.host.store.StaleLeaderException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LostNodesTest {
  private static final Duration LOST_AFTER = Duration.ofSeconds(30);
  private static final Duration GONE_AFTER = Duration.ofMinutes(5);
  private final ManualScheduler scheduler = new ManualScheduler(T0.plusSeconds(600));
  private final InMemoryClusterStore store = new InMemoryClusterStore();
  private final ScriptedProber prober = new ScriptedProber();
  private final List<Node> nodes = new ArrayList<>();
  private final NodeStore nodeStore =
      new NodeStore() {
        @Override
        public void register(Node node) {
          nodes.add(node);
        }

        @Override
        public boolean heartbeat(String id, Instant at) {
          return true;
        }

        @Override
        public List<Node> findAll() {
          return List.copyOf(nodes);
        }
      };
  private final LostNodes watch =
      new LostNodes(
          store,
          nodeStore,
          prober,
          scheduler,
          "leader",
          LOST_AFTER,
          GONE_AFTER,
          3,
          Duration.ofSeconds(2));
  private final LeaderLease lease;

  LostNodesTest() {
    lease = store.acquire("leader", scheduler.now(), Duration.ofSeconds(6)).orElseThrow();
    nodes.add(node("leader", scheduler.now()));
  }

  private Instant ago(Duration d) {
    return scheduler.now().minus(d);
  }

  @Test
  void aLostNodesEnginesThatStillAnswerKeepServing() {
    nodes.add(node("a", ago(Duration.ofMinutes(1))));
    store.put("a", engine("eng-1", EngineState.READY, 9001, 0));
    prober.healthy("http://127.0.0.1:9001");

    for (int i = 0; i < 5; i++) {
      watch.check(lease);
    }

    assertThat(store.engine("eng-1").orElseThrow().record().state()).isEqualTo(EngineState.READY);
    assertThat(prober.probesOf("http://127.0.0.1:9001")).isEqualTo(5);
  }

  @Test
  void aLostNodesEngineThatStopsAnsweringGoesToErrorAfterTheThreshold() {
    nodes.add(node("a", ago(Duration.ofMinutes(1))));
    store.put("a", engine("eng-1", EngineState.READY, 9001, 0));
    prober.failing("http://127.0.0.1:9001", "connection refused");

    watch.check(lease);
    watch.check(lease);
    assertThat(store.engine("eng-1").orElseThrow().record().state()).isEqualTo(EngineState.READY);
    watch.check(lease);

    var failed = store.engine("eng-1").orElseThrow().record();
    assertThat(failed.state()).isEqualTo(EngineState.ERROR);
    assertThat(failed.lastError())
        .contains("stopped answering while its node a is lost")
        .contains("connection refused");
  }

  @Test
  void anAnswerInBetweenStartsTheCountAgain() {
    nodes.add(node("a", ago(Duration.ofMinutes(1))));
    store.put("a", engine("eng-1", EngineState.READY, 9001, 0));
    String url = "http://127.0.0.1:9001";

    prober.failing(url, "refused");
    watch.check(lease);
    watch.check(lease);
    prober.healthy(url);
    watch.check(lease);
    prober.failing(url, "refused");
    watch.check(lease);
    watch.check(lease);

    assertThat(store.engine("eng-1").orElseThrow().record().state()).isEqualTo(EngineState.READY);
  }

  @Test
  void theEnginesOfNodesThatAreUpAreNotProbed() {
    nodes.add(node("a", ago(Duration.ofSeconds(5))));
    store.put("a", engine("eng-1", EngineState.READY, 9001, 0));
    store.put("leader", engine("eng-2", EngineState.READY, 9002, 0));

    watch.check(lease);

    assertThat(prober.probesOf("http://127.0.0.1:9001")).isZero();
    assertThat(prober.probesOf("http://127.0.0.1:9002")).isZero();
  }

  @Test
  void aNodeGoneForGoodHasItsEnginesFailedWithNodeLost() {
    nodes.add(node("a", ago(Duration.ofMinutes(6))));
    store.put("a", engine("eng-1", EngineState.READY, 9001, 0));
    store.put("a", engine("eng-2", EngineState.STOPPED, 9002, 0));
    store.put("a", engine("eng-3", EngineState.DRAINING, 9003, 0));
    prober.healthy("http://127.0.0.1:9001");

    watch.check(lease);

    assertThat(store.engine("eng-1").orElseThrow().record().state()).isEqualTo(EngineState.ERROR);
    assertThat(store.engine("eng-1").orElseThrow().record().lastError()).isEqualTo("node a lost");
    assertThat(store.engine("eng-2").orElseThrow().record().state()).isEqualTo(EngineState.STOPPED);
    assertThat(store.engine("eng-3").orElseThrow().record().state())
        .as("a drain ends stopped")
        .isEqualTo(EngineState.STOPPED);
    assertThat(store.failed).hasSize(2);
  }

  @Test
  void aDeposedLeadersCheckIsRefusedByTheStore() {
    nodes.add(node("a", ago(Duration.ofMinutes(6))));
    store.put("a", engine("eng-1", EngineState.READY, 9001, 0));
    store.release(lease);
    store.acquire("other", scheduler.now(), Duration.ofSeconds(6));

    assertThatThrownBy(() -> watch.check(lease)).isInstanceOf(StaleLeaderException.class);
    assertThat(store.engine("eng-1").orElseThrow().record().state()).isEqualTo(EngineState.READY);
  }
}

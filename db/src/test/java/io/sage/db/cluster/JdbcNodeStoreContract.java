package io.sage.db.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabase;
import io.sage.host.cluster.Node;
import io.sage.host.cluster.NodeGpu;
import io.sage.host.store.NodeStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nodes table on each database ({@link JdbcNodeStoreTest}, {@link JdbcNodeStorePostgresTest}).
 */
abstract class JdbcNodeStoreContract {
  private static final Instant T0 = Instant.parse("2026-02-03T04:05:06.123456Z");
  @TempDir Path dataDir;
  private ApplicationContext context;
  private NodeStore store;

  abstract TestDatabase database(Path dataDir);

  @BeforeEach
  void start() {
    context = database(dataDir).start();
    store = context.getBean(NodeStore.class);
  }

  @AfterEach
  void stop() {
    context.close();
  }

  private static Node node(String id, List<NodeGpu> gpus, Instant started) {
    return new Node(id, "http://" + id + ":8000", "0.1.0", gpus, started, started);
  }

  @Test
  void aRegisteredNodeRoundTripsWithItsGpus() {
    Node node =
        node(
            "gpu-host-1",
            List.of(new NodeGpu(0, "NVIDIA H100 80GB HBM3", 81559), new NodeGpu(1, "x\"y", 0)),
            T0);

    store.register(node);

    assertThat(store.findAll()).containsExactly(node);
  }

  @Test
  void registeringAgainReplacesTheRow() {
    store.register(node("n1", List.of(), T0));
    Node again =
        new Node(
            "n1", "http://n1.new:9000", "0.2.0", List.of(), T0.plusSeconds(60), T0.plusSeconds(60));

    store.register(again);

    assertThat(store.findAll()).containsExactly(again);
  }

  @Test
  void aHeartbeatMovesLastSeenOnly() {
    store.register(node("n1", List.of(), T0));

    assertThat(store.heartbeat("n1", T0.plusSeconds(5))).isTrue();

    Node seen = store.findAll().get(0);
    assertThat(seen.lastSeenAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(seen.startedAt()).isEqualTo(T0);
  }

  @Test
  void aHeartbeatOfAnUnknownNodeSaysSo() {
    assertThat(store.heartbeat("nobody", T0)).isFalse();
    assertThat(store.findAll()).isEmpty();
  }

  @Test
  void nodesAreListedById() {
    for (String id : List.of("c", "a", "b")) {
      store.register(node(id, List.of(), T0));
    }

    assertThat(store.findAll()).extracting(Node::id).containsExactly("a", "b", "c");
  }
}

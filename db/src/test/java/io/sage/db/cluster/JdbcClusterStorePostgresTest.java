package io.sage.db.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabase;
import io.sage.host.cluster.LeaderLease;
import io.sage.host.store.ClusterStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The cluster store on a real PostgreSQL (a throwaway cluster for the test run), and two nodes'
 * stores (two connection pools) racing for the lease at the same moment.
 */
class JdbcClusterStorePostgresTest extends JdbcClusterStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.postgres(dataDir);
  }

  @Test
  void twoNodesRacingForTheLeaseNeverBothWin() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (ApplicationContext other = database.start(Map.of("sage.node.id", "node-b"))) {
      ClusterStore b = other.getBean(ClusterStore.class);
      CyclicBarrier together = new CyclicBarrier(2);
      List<Long> tokens = new ArrayList<>();
      for (int round = 0; round < 20; round++) {
        // each round starts after the previous lease ran out: both may try, one must win
        Instant now = T0.plus(LEASE.multipliedBy(round + 1));
        CompletableFuture<Optional<LeaderLease>> byA =
            CompletableFuture.supplyAsync(
                () -> {
                  await(together);
                  return store.acquire("node-a", now, LEASE);
                },
                threads);
        CompletableFuture<Optional<LeaderLease>> byB =
            CompletableFuture.supplyAsync(
                () -> {
                  await(together);
                  return b.acquire("node-b", now, LEASE);
                },
                threads);
        List<LeaderLease> winners = new ArrayList<>();
        byA.get().ifPresent(winners::add);
        byB.get().ifPresent(winners::add);

        assertThat(winners).as("round %d", round).hasSize(1);
        assertThat(store.leader()).contains(winners.get(0));
        tokens.add(winners.get(0).token());
      }
      for (int i = 1; i < tokens.size(); i++) {
        assertThat(tokens.get(i)).isEqualTo(tokens.get(i - 1) + 1);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

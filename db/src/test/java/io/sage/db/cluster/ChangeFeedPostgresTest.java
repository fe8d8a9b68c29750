package io.sage.db.cluster;

import static io.sage.db.engine.EngineFixtures.firstEvent;
import static io.sage.db.engine.EngineFixtures.minimal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabase;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.security.StoredApiKey;
import io.sage.host.store.ApiKeyStore;
import io.sage.host.store.ClusterChanges;
import io.sage.host.store.EngineStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change feed on a real PostgreSQL: two nodes (application contexts) on one database; what one
 * writes is announced to the other in the write's transaction, and the feed comes back after its
 * connection is killed.
 */
class ChangeFeedPostgresTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final String HASH = "a".repeat(64);

  @TempDir Path dataDir;
  private TestDatabase database;
  private ApplicationContext nodeA;
  private ApplicationContext nodeB;
  private final BlockingQueue<String> heard = new LinkedBlockingQueue<>();
  private AutoCloseable subscription;

  @BeforeEach
  void start() throws Exception {
    database = TestDatabase.postgres(dataDir);
    nodeA = database.start(Map.of("sage.node.id", "node-a"));
    nodeB = database.start(Map.of("sage.node.id", "node-b"));
    subscription =
        nodeB
            .getBean(ClusterChanges.class)
            .subscribe(
                new ClusterChanges.Listener() {
                  @Override
                  public void engineChanged(String nodeId, String engineId) {
                    heard.add("engine " + nodeId + " " + engineId);
                  }

                  @Override
                  public void apiKeysChanged() {
                    heard.add("keys");
                  }

                  @Override
                  public void reconnected() {
                    heard.add("connected");
                  }
                });
    assertThat(next()).isEqualTo("connected");
  }

  @AfterEach
  void stop() throws Exception {
    subscription.close();
    nodeB.close();
    nodeA.close();
  }

  private String next() throws InterruptedException {
    String item = heard.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(item).as("an announcement within " + DEADLINE).isNotNull();
    return item;
  }

  @Test
  void everyEngineWriteOfOneNodeIsAnnouncedToTheOther() throws Exception {
    EngineStore a = nodeA.getBean(EngineStore.class);
    EngineRecord engine = minimal("eng-0000000000f1", Instant.parse("2026-01-01T00:00:00Z"));

    a.insert(engine, firstEvent(engine));
    assertThat(next()).isEqualTo("engine node-a " + engine.id());

    Instant at = Instant.parse("2026-01-01T00:00:05Z");
    EngineRecord ready = engine.withState(EngineState.READY, at);
    a.transition(
        ready, new EngineEvent(0, engine.id(), EngineState.STARTING, EngineState.READY, "ok", at));
    assertThat(next()).isEqualTo("engine node-a " + engine.id());
    assertThat(nodeB.getBean(EngineStore.class).findOnAnyNode(engine.id()))
        .as("what the other node reads when told")
        .hasValueSatisfying(e -> assertThat(e.record().state()).isEqualTo(EngineState.READY));

    a.update(ready.withHealth(ready.health().failedOnce(), at.plusSeconds(1)));
    assertThat(next()).isEqualTo("engine node-a " + engine.id());

    a.delete(engine.id());
    assertThat(next()).isEqualTo("engine node-a " + engine.id());
  }

  @Test
  void aWriteThatRollsBackAnnouncesNothing() throws Exception {
    EngineStore a = nodeA.getBean(EngineStore.class);
    EngineRecord engine = minimal("eng-0000000000f2", Instant.parse("2026-01-01T00:00:00Z"));
    a.insert(engine, firstEvent(engine));
    assertThat(next()).isEqualTo("engine node-a " + engine.id());
    database.refuseEventsWithReason("refused");

    Instant at = Instant.parse("2026-01-01T00:00:05Z");
    assertThatThrownBy(
            () ->
                a.transition(
                    engine.withState(EngineState.READY, at),
                    new EngineEvent(
                        0, engine.id(), EngineState.STARTING, EngineState.READY, "refused", at)))
        .isInstanceOf(RuntimeException.class);
    EngineRecord other = minimal("eng-0000000000f3", at);
    a.insert(other, firstEvent(other));

    // announcements arrive in commit order: the next one is the later write's
    assertThat(next()).isEqualTo("engine node-a " + other.id());
  }

  @Test
  void keysCreatedAndRevokedAreAnnounced() throws Exception {
    ApiKeyStore keys = nodeA.getBean(ApiKeyStore.class);
    keys.insert(
        new StoredApiKey(
            "key-00f1", "ci", "inference", List.of(), HASH, Instant.now(), null, null));
    assertThat(next()).isEqualTo("keys");
    keys.revoke("key-00f1", Instant.now());
    assertThat(next()).isEqualTo("keys");
  }

  @Test
  void theFeedConnectsAgainWhenItsConnectionIsKilledAndSaysSo() throws Exception {
    try (Connection connection = database.rawConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
              + " WHERE application_name = 'sage change feed'");
    }
    assertThat(next()).as("a reconnection: re-read everything").isEqualTo("connected");

    EngineStore a = nodeA.getBean(EngineStore.class);
    EngineRecord engine = minimal("eng-0000000000f4", Instant.parse("2026-01-01T00:00:00Z"));
    a.insert(engine, firstEvent(engine));
    assertThat(next()).isEqualTo("engine node-a " + engine.id());
  }
}

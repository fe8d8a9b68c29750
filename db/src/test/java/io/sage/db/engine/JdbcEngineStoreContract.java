package io.sage.db.engine;

import static io.sage.db.engine.EngineFixtures.firstEvent;
import static io.sage.db.engine.EngineFixtures.full;
import static io.sage.db.engine.EngineFixtures.minimal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabase;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Health;
import io.sage.host.engine.Placement;
import io.sage.host.engine.ProcessIdentity;
import io.sage.host.store.EngineStore;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine store's contract, run on each database the gateway supports ({@link
 * JdbcEngineStoreTest} on H2, {@link JdbcEngineStorePostgresTest} on PostgreSQL).
 */
abstract class JdbcEngineStoreContract {
  @TempDir Path dataDir;
  private TestDatabase database;
  private ApplicationContext context;
  private EngineStore store;

  /** An instant with nanoseconds, as the database keeps it. */
  private Instant t0;

  abstract TestDatabase database(Path dataDir);

  @BeforeEach
  void start() {
    database = database(dataDir);
    t0 = database.stored(EngineFixtures.T0);
    context = database.start();
    store = context.getBean(EngineStore.class);
  }

  @AfterEach
  void stop() {
    context.close();
  }

  /** A plain connection to the same embedded database, outside Micronaut's transactions. */
  private Connection rawConnection() throws SQLException {
    return database.rawConnection();
  }

  @Test
  void theStoreBeanIsTheJdbcOne() {
    assertThat(store).isInstanceOf(JdbcEngineStore.class);
  }

  @Test
  void everyFieldRoundTrips() {
    EngineRecord engine = full("eng-0123456789ab", t0);

    store.insert(engine, firstEvent(engine));

    assertThat(store.find(engine.id())).contains(engine);
  }

  @Test
  void theRestartWindowAndALaunchIntentRoundTrip() {
    Instant ms = t0.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    EngineRecord engine =
        minimal("eng-00000000000b", t0)
            // kept to the millisecond
            .withRecentRestarts(List.of(ms.plusMillis(1500), ms.plusSeconds(40)), t0)
            .withProcess(ProcessIdentity.intended("java -cp x Mock --port 8101", t0), t0);

    store.insert(engine, firstEvent(engine));

    EngineRecord found = store.find(engine.id()).orElseThrow();
    assertThat(found).isEqualTo(engine);
    assertThat(found.recentRestarts()).containsExactly(ms.plusMillis(1500), ms.plusSeconds(40));
    assertThat(found.process().isIntent()).isTrue();
    assertThat(found.process().commandLine()).isEqualTo("java -cp x Mock --port 8101");
  }

  @Test
  void nullsAndEmptyCollectionsRoundTrip() {
    EngineRecord engine = minimal("eng-00000000000a", t0);

    store.insert(engine, firstEvent(engine));

    EngineRecord found = store.find(engine.id()).orElseThrow();
    assertThat(found).isEqualTo(engine);
    assertThat(found.spec().servedModelName()).isEqualTo("mini");
    assertThat(found.spec().requestedPort()).isNull();
    assertThat(found.gpuIds()).isEmpty();
    assertThat(found.process()).isEqualTo(ProcessIdentity.NONE);
  }

  @Test
  void denormalisedColumnsCopyTheSpec() throws Exception {
    EngineRecord engine = full("eng-0000000000c1", t0);
    store.insert(engine, firstEvent(engine));

    try (Connection connection = rawConnection();
        Statement statement = connection.createStatement();
        var rows =
            statement.executeQuery(
                "SELECT model, served_model_name, engine_kind, runtime,"
                    + " label, gpu_ids, spec_json FROM engines")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
      assertThat(rows.getString(2)).isEqualTo("llama-8b");
      assertThat(rows.getString(3)).isEqualTo("llm");
      assertThat(rows.getString(4)).isEqualTo("vllm");
      assertThat(rows.getString(5)).isEqualTo("nightly eval");
      assertThat(rows.getString(6)).isEqualTo("3,1");
      assertThat(rows.getString(7)).contains("\"kind\":\"LLM\"");
    }
  }

  @Test
  void unknownEngineIsEmpty() {
    assertThat(store.find("eng-ffffffffffff")).isEmpty();
  }

  @Test
  void insertStoresTheFirstEvent() {
    EngineRecord engine = minimal("eng-000000000001", t0);

    store.insert(engine, firstEvent(engine));

    assertThat(store.events(engine.id(), 10))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.id()).isPositive();
              assertThat(event.from()).isNull();
              assertThat(event.to()).isEqualTo(EngineState.STARTING);
              assertThat(event.reason()).isEqualTo("engine launched");
              assertThat(event.at()).isEqualTo(t0);
            });
  }

  @Test
  void insertingAnIdTwiceFailsAndAddsNoEvent() {
    EngineRecord engine = minimal("eng-000000000002", t0);
    store.insert(engine, firstEvent(engine));

    assertThatThrownBy(() -> store.insert(engine, firstEvent(engine)))
        .isInstanceOf(SageException.class)
        .hasMessageContaining(engine.id())
        .satisfies(e -> assertThat(((SageException) e).code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
    assertThat(store.events(engine.id(), 10)).hasSize(1);
  }

  @Test
  void transitionUpdatesTheRowAndAppendsTheEvent() {
    EngineRecord engine = minimal("eng-000000000003", t0);
    store.insert(engine, firstEvent(engine));
    Instant later = t0.plusSeconds(7);
    EngineRecord ready = engine.withState(EngineState.READY, later);

    store.transition(
        ready,
        new EngineEvent(
            0,
            engine.id(),
            EngineState.STARTING,
            EngineState.READY,
            "first readiness probe succeeded",
            later));

    assertThat(store.find(engine.id())).contains(ready);
    assertThat(store.events(engine.id(), 10))
        .extracting(EngineEvent::to)
        .containsExactly(EngineState.READY, EngineState.STARTING);
  }

  @Test
  void transitionIsAtomicWhenTheEventCannotBeStored() throws Exception {
    EngineRecord engine = minimal("eng-000000000004", t0);
    store.insert(engine, firstEvent(engine));
    database.refuseEventsWithReason(RefuseEventTrigger.REFUSED);
    EngineRecord failed = engine.withState(EngineState.ERROR, t0.plusSeconds(1));

    assertThatThrownBy(
            () ->
                store.transition(
                    failed,
                    new EngineEvent(
                        0,
                        engine.id(),
                        EngineState.STARTING,
                        EngineState.ERROR,
                        RefuseEventTrigger.REFUSED,
                        t0.plusSeconds(1))))
        .isInstanceOf(RuntimeException.class);

    assertThat(store.find(engine.id())).contains(engine);
    assertThat(store.events(engine.id(), 10)).hasSize(1);
  }

  @Test
  void transitionOfAnUnknownEngineFailsWithItsId() {
    EngineRecord engine = minimal("eng-000000000005", t0);

    assertThatThrownBy(() -> store.transition(engine, firstEvent(engine)))
        .isInstanceOf(SageException.class)
        .hasMessageContaining(engine.id());
    assertThat(store.events(engine.id(), 10)).isEmpty();
  }

  @Test
  void updateReplacesTheRowWithoutAnEvent() {
    EngineRecord engine = minimal("eng-000000000006", t0);
    store.insert(engine, firstEvent(engine));
    EngineRecord placed =
        engine
            .withPlacement(Placement.local("127.0.0.1", 8123, List.of(0), 1024), t0.plusSeconds(1))
            .withProcess(
                new ProcessIdentity(777L, t0.plusSeconds(1), "mock --port 8123"), t0.plusSeconds(1))
            .withHealth(new Health(t0.plusSeconds(2), 1), t0.plusSeconds(2))
            .withRestart(t0.plusSeconds(2))
            .withLastError("process exited with code 1", t0.plusSeconds(2));

    store.update(placed);

    assertThat(store.find(engine.id())).contains(placed);
    assertThat(store.events(engine.id(), 10)).hasSize(1);
  }

  @Test
  void aSchedulerJobHandleWithoutAPidSurvivesTheStore() {
    EngineRecord engine = minimal("eng-000000000007", t0);
    store.insert(engine, firstEvent(engine));
    EngineRecord submitted =
        engine
            .withPlacement(new Placement("127.0.0.1", null, null, List.of(), 0), t0.plusSeconds(1))
            .withProcess(ProcessIdentity.job("job:4242"), t0.plusSeconds(1));

    store.update(submitted);

    EngineRecord found = store.find(engine.id()).orElseThrow();
    assertThat(found.process()).isEqualTo(ProcessIdentity.job("job:4242"));
    assertThat(found.process().pidOrNull()).isNull();
  }

  @Test
  void updateOfAnUnknownEngineFailsWithItsId() {
    EngineRecord engine = minimal("eng-000000000007", t0);

    assertThatThrownBy(() -> store.update(engine))
        .isInstanceOf(SageException.class)
        .hasMessageContaining(engine.id())
        .satisfies(e -> assertThat(((SageException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void eventsAreNewestFirstAndLimited() {
    EngineRecord engine = minimal("eng-000000000008", t0);
    store.insert(engine, firstEvent(engine));
    EngineState[] path = {
      EngineState.READY,
      EngineState.ERROR,
      EngineState.STARTING,
      EngineState.READY,
      EngineState.DRAINING,
      EngineState.STOPPED
    };
    EngineRecord current = engine;
    for (EngineState next : path) {
      // the same instant on purpose: the order must not depend on timestamps
      EngineRecord moved = current.withState(next, t0);
      store.transition(
          moved, new EngineEvent(0, engine.id(), current.state(), next, "to " + next, t0));
      current = moved;
    }

    assertThat(store.events(engine.id(), 3))
        .extracting(EngineEvent::to)
        .containsExactly(EngineState.STOPPED, EngineState.DRAINING, EngineState.READY);
    assertThat(store.events(engine.id(), 100)).hasSize(path.length + 1);
  }

  @Test
  void eventsOfOtherEnginesStayApart() {
    EngineRecord a = minimal("eng-00000000000b", t0);
    EngineRecord b = minimal("eng-00000000000c", t0);
    store.insert(a, firstEvent(a));
    store.insert(b, firstEvent(b));

    assertThat(store.events(a.id(), 10)).extracting(EngineEvent::engineId).containsOnly(a.id());
  }

  @Test
  void deleteForgetsTheEngineButKeepsItsEvents() {
    EngineRecord engine = minimal("eng-000000000009", t0);
    store.insert(engine, firstEvent(engine));

    store.delete(engine.id());

    assertThat(store.find(engine.id())).isEmpty();
    assertThat(store.findAll()).isEmpty();
    assertThat(store.events(engine.id(), 10)).hasSize(1);
  }

  @Test
  void findAllIsOldestFirst() {
    EngineRecord newest = minimal("eng-00000000aaaa", t0.plusSeconds(20));
    EngineRecord oldest = full("eng-00000000bbbb", t0);
    EngineRecord middle = minimal("eng-00000000cccc", t0.plusSeconds(10));
    for (EngineRecord engine : List.of(newest, oldest, middle)) {
      store.insert(engine, firstEvent(engine));
    }

    assertThat(store.findAll()).containsExactly(oldest, middle, newest);
  }

  @Test
  void eachNodeFindsOnlyItsOwnEnginesAndTakesTheUnownedOnes() {
    EngineRecord legacy = minimal("eng-0000000000d0", t0);
    store.insert(legacy, firstEvent(legacy)); // no node id: a row as written before V19
    context.close();

    EngineRecord ofA = minimal("eng-0000000000da", t0.plusSeconds(1));
    try (ApplicationContext nodeA = database.start(java.util.Map.of("sage.node.id", "node-a"))) {
      EngineStore a = nodeA.getBean(EngineStore.class);
      assertThat(a.findAll()).as("node-a takes the unowned row").containsExactly(legacy);
      a.insert(ofA, firstEvent(ofA));
    }
    EngineRecord ofB = minimal("eng-0000000000db", t0.plusSeconds(2));
    try (ApplicationContext nodeB = database.start(java.util.Map.of("sage.node.id", "node-b"))) {
      EngineStore b = nodeB.getBean(EngineStore.class);
      assertThat(b.findAll()).as("node-b sees none of node-a's engines").isEmpty();
      b.insert(ofB, firstEvent(ofB));
      assertThat(b.findAll()).containsExactly(ofB);
    }
    try (ApplicationContext nodeA = database.start(java.util.Map.of("sage.node.id", "node-a"))) {
      assertThat(nodeA.getBean(EngineStore.class).findAll()).containsExactly(legacy, ofA);
    }
    context = database.start();
    store = context.getBean(EngineStore.class);
    assertThat(store.findAll()).as("without a node id: every row").hasSize(3);
  }

  @Test
  void eachNodeReadsTheOtherNodesEnginesWithTheirNodeAndTheirSecrets() {
    context.close();
    try (ApplicationContext nodeA = database.start(java.util.Map.of("sage.node.id", "node-a"));
        ApplicationContext nodeB = database.start(java.util.Map.of("sage.node.id", "node-b"))) {
      EngineStore a = nodeA.getBean(EngineStore.class);
      EngineStore b = nodeB.getBean(EngineStore.class);
      EngineRecord ofA = full("eng-0000000000ea", t0);
      EngineRecord ofB = minimal("eng-0000000000eb", t0.plusSeconds(1));
      a.insert(ofA, firstEvent(ofA));
      b.insert(ofB, firstEvent(ofB));

      assertThat(b.findOtherNodes())
          .as("node-b reads node-a's engine, its key opened with the shared secret.key")
          .containsExactly(new io.sage.host.cluster.ClusterEngine("node-a", ofA));
      assertThat(a.findOtherNodes())
          .containsExactly(new io.sage.host.cluster.ClusterEngine("node-b", ofB));
      assertThat(b.findOnAnyNode(ofA.id()))
          .contains(new io.sage.host.cluster.ClusterEngine("node-a", ofA));
      assertThat(a.findOnAnyNode(ofA.id()))
          .contains(new io.sage.host.cluster.ClusterEngine("node-a", ofA));
      assertThat(b.findOnAnyNode("eng-00000000ffff")).isEmpty();
      assertThat(b.findAll()).as("still only its own to supervise").containsExactly(ofB);

      a.delete(ofA.id());
      assertThat(b.findOtherNodes()).isEmpty();
      assertThat(b.findOnAnyNode(ofA.id())).isEmpty();
    }
    context = database.start();
    store = context.getBean(EngineStore.class);
  }
}

package io.sage.db.engine;

import static io.sage.db.engine.EngineFixtures.T0;
import static io.sage.db.engine.EngineFixtures.firstEvent;
import static io.sage.db.engine.EngineFixtures.full;
import static io.sage.db.engine.EngineFixtures.minimal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.sage.db.H2Urls;
import io.sage.db.TestDatabases;
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
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcEngineStoreTest {
  @TempDir Path dataDir;
  private ApplicationContext context;
  private EngineStore store;

  @BeforeEach
  void start() {
    context = TestDatabases.start(dataDir);
    store = context.getBean(EngineStore.class);
  }

  @AfterEach
  void stop() {
    context.close();
  }

  /** A plain connection to the same embedded database, outside Micronaut's transactions. */
  private Connection rawConnection() throws SQLException {
    return DriverManager.getConnection(H2Urls.fileUrl(dataDir), "sa", "");
  }

  @Test
  void theStoreBeanIsTheJdbcOne() {
    assertThat(store).isInstanceOf(JdbcEngineStore.class);
  }

  @Test
  void everyFieldRoundTrips() {
    EngineRecord engine = full("eng-0123456789ab", T0);

    store.insert(engine, firstEvent(engine));

    assertThat(store.find(engine.id())).contains(engine);
  }

  @Test
  void nullsAndEmptyCollectionsRoundTrip() {
    EngineRecord engine = minimal("eng-00000000000a", T0);

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
    EngineRecord engine = full("eng-0000000000c1", T0);
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
    EngineRecord engine = minimal("eng-000000000001", T0);

    store.insert(engine, firstEvent(engine));

    assertThat(store.events(engine.id(), 10))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.id()).isPositive();
              assertThat(event.from()).isNull();
              assertThat(event.to()).isEqualTo(EngineState.STARTING);
              assertThat(event.reason()).isEqualTo("engine launched");
              assertThat(event.at()).isEqualTo(T0);
            });
  }

  @Test
  void insertingAnIdTwiceFailsAndAddsNoEvent() {
    EngineRecord engine = minimal("eng-000000000002", T0);
    store.insert(engine, firstEvent(engine));

    assertThatThrownBy(() -> store.insert(engine, firstEvent(engine)))
        .isInstanceOf(SageException.class)
        .hasMessageContaining(engine.id())
        .satisfies(e -> assertThat(((SageException) e).code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
    assertThat(store.events(engine.id(), 10)).hasSize(1);
  }

  @Test
  void transitionUpdatesTheRowAndAppendsTheEvent() {
    EngineRecord engine = minimal("eng-000000000003", T0);
    store.insert(engine, firstEvent(engine));
    Instant later = T0.plusSeconds(7);
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
    EngineRecord engine = minimal("eng-000000000004", T0);
    store.insert(engine, firstEvent(engine));
    try (Connection connection = rawConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TRIGGER refuse_events BEFORE INSERT ON engine_events FOR EACH ROW"
              + " CALL '"
              + RefuseEventTrigger.class.getName()
              + "'");
    }
    EngineRecord failed = engine.withState(EngineState.ERROR, T0.plusSeconds(1));

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
                        T0.plusSeconds(1))))
        .isInstanceOf(RuntimeException.class);

    assertThat(store.find(engine.id())).contains(engine);
    assertThat(store.events(engine.id(), 10)).hasSize(1);
  }

  @Test
  void transitionOfAnUnknownEngineFailsWithItsId() {
    EngineRecord engine = minimal("eng-000000000005", T0);

    assertThatThrownBy(() -> store.transition(engine, firstEvent(engine)))
        .isInstanceOf(SageException.class)
        .hasMessageContaining(engine.id());
    assertThat(store.events(engine.id(), 10)).isEmpty();
  }

  @Test
  void updateReplacesTheRowWithoutAnEvent() {
    EngineRecord engine = minimal("eng-000000000006", T0);
    store.insert(engine, firstEvent(engine));
    EngineRecord placed =
        engine
            .withPlacement(Placement.local("127.0.0.1", 8123, List.of(0), 1024), T0.plusSeconds(1))
            .withProcess(
                new ProcessIdentity(777L, T0.plusSeconds(1), "mock --port 8123"), T0.plusSeconds(1))
            .withHealth(new Health(T0.plusSeconds(2), 1), T0.plusSeconds(2))
            .withRestart(T0.plusSeconds(2))
            .withLastError("process exited with code 1", T0.plusSeconds(2));

    store.update(placed);

    assertThat(store.find(engine.id())).contains(placed);
    assertThat(store.events(engine.id(), 10)).hasSize(1);
  }

  @Test
  void aSchedulerJobHandleWithoutAPidSurvivesTheStore() {
    EngineRecord engine = minimal("eng-000000000007", T0);
    store.insert(engine, firstEvent(engine));
    EngineRecord submitted =
        engine
            .withPlacement(new Placement("127.0.0.1", null, null, List.of(), 0), T0.plusSeconds(1))
            .withProcess(ProcessIdentity.job("job:4242"), T0.plusSeconds(1));

    store.update(submitted);

    EngineRecord found = store.find(engine.id()).orElseThrow();
    assertThat(found.process()).isEqualTo(ProcessIdentity.job("job:4242"));
    assertThat(found.process().pidOrNull()).isNull();
  }

  @Test
  void updateOfAnUnknownEngineFailsWithItsId() {
    EngineRecord engine = minimal("eng-000000000007", T0);

    assertThatThrownBy(() -> store.update(engine))
        .isInstanceOf(SageException.class)
        .hasMessageContaining(engine.id())
        .satisfies(e -> assertThat(((SageException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void eventsAreNewestFirstAndLimited() {
    EngineRecord engine = minimal("eng-000000000008", T0);
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
      EngineRecord moved = current.withState(next, T0);
      store.transition(
          moved, new EngineEvent(0, engine.id(), current.state(), next, "to " + next, T0));
      current = moved;
    }

    assertThat(store.events(engine.id(), 3))
        .extracting(EngineEvent::to)
        .containsExactly(EngineState.STOPPED, EngineState.DRAINING, EngineState.READY);
    assertThat(store.events(engine.id(), 100)).hasSize(path.length + 1);
  }

  @Test
  void eventsOfOtherEnginesStayApart() {
    EngineRecord a = minimal("eng-00000000000b", T0);
    EngineRecord b = minimal("eng-00000000000c", T0);
    store.insert(a, firstEvent(a));
    store.insert(b, firstEvent(b));

    assertThat(store.events(a.id(), 10)).extracting(EngineEvent::engineId).containsOnly(a.id());
  }

  @Test
  void deleteForgetsTheEngineButKeepsItsEvents() {
    EngineRecord engine = minimal("eng-000000000009", T0);
    store.insert(engine, firstEvent(engine));

    store.delete(engine.id());

    assertThat(store.find(engine.id())).isEmpty();
    assertThat(store.findAll()).isEmpty();
    assertThat(store.events(engine.id(), 10)).hasSize(1);
  }

  @Test
  void findAllIsOldestFirst() {
    EngineRecord newest = minimal("eng-00000000aaaa", T0.plusSeconds(20));
    EngineRecord oldest = full("eng-00000000bbbb", T0);
    EngineRecord middle = minimal("eng-00000000cccc", T0.plusSeconds(10));
    for (EngineRecord engine : List.of(newest, oldest, middle)) {
      store.insert(engine, firstEvent(engine));
    }

    assertThat(store.findAll()).containsExactly(oldest, middle, newest);
  }
}

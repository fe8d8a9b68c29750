package io.sage.db.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabase;
import io.sage.db.engine.EngineFixtures;
import io.sage.host.cluster.ClusterEngine;
import io.sage.host.cluster.CommandAction;
import io.sage.host.cluster.CommandState;
import io.sage.host.cluster.EngineCommand;
import io.sage.host.cluster.LeaderLease;
import io.sage.host.cluster.ModelActivity;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.store.ClusterStore;
import io.sage.host.store.EngineStore;
import io.sage.host.store.StaleLeaderException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader lease, the commands between nodes and every node's engines, on each database ({@link
 * JdbcClusterStoreTest} on H2, {@link JdbcClusterStorePostgresTest} on PostgreSQL).
 */
abstract class JdbcClusterStoreContract {
  static final Instant T0 = Instant.parse("2026-02-03T04:05:06.123456Z");
  static final Duration LEASE = Duration.ofSeconds(6);
  @TempDir Path dataDir;
  TestDatabase database;
  private ApplicationContext context;
  ClusterStore store;
  private EngineStore engines;

  abstract TestDatabase database(Path dataDir);

  @BeforeEach
  void start() {
    database = database(dataDir);
    context = database.start(Map.of("sage.node.id", "node-a"));
    store = context.getBean(ClusterStore.class);
    engines = context.getBean(EngineStore.class);
  }

  @AfterEach
  void stop() {
    context.close();
  }

  @Test
  void nobodyLeadsAFreshDatabase() {
    assertThat(store).isInstanceOf(JdbcClusterStore.class);
    assertThat(store.leader()).isEmpty();
  }

  @Test
  void theFirstNodeTakesTheLeaseWithTokenOneAndTheOthersWaitUntilItRunsOut() {
    LeaderLease a = store.acquire("node-a", T0, LEASE).orElseThrow();

    assertThat(a).isEqualTo(new LeaderLease("node-a", 1, T0.plus(LEASE)));
    assertThat(store.leader()).contains(a);
    assertThat(store.acquire("node-b", T0.plusSeconds(5), LEASE)).isEmpty();

    LeaderLease b = store.acquire("node-b", T0.plusSeconds(7), LEASE).orElseThrow();

    assertThat(b.token()).isEqualTo(2);
    assertThat(store.leader()).contains(b);
  }

  @Test
  void renewingMovesTheExpiryAndAStaleLeadersRenewalIsRefused() {
    LeaderLease a = store.acquire("node-a", T0, LEASE).orElseThrow();

    LeaderLease renewed = store.renew(a, T0.plusSeconds(2), LEASE).orElseThrow();
    assertThat(renewed.expiresAt()).isEqualTo(T0.plusSeconds(8));
    assertThat(store.acquire("node-b", T0.plusSeconds(7), LEASE)).isEmpty();

    // a is paused past its lease; b takes over; a's late renewal is refused and changes nothing
    LeaderLease b = store.acquire("node-b", T0.plusSeconds(9), LEASE).orElseThrow();
    assertThat(store.renew(a, T0.plusSeconds(10), LEASE)).isEmpty();
    assertThat(store.leader()).contains(b);
  }

  @Test
  void aReleasedLeaseIsTakenAtOnceWithTheNextToken() {
    LeaderLease a = store.acquire("node-a", T0, LEASE).orElseThrow();

    store.release(a);

    assertThat(store.leader()).isEmpty();
    assertThat(store.acquire("node-b", T0.plusSeconds(1), LEASE))
        .map(LeaderLease::token)
        .contains(2L);
  }

  @Test
  void aRestartedNodeTakesItsOwnLeaseBackWithANewToken() {
    store.acquire("node-a", T0, LEASE).orElseThrow();

    assertThat(store.acquire("node-a", T0.plusSeconds(1), LEASE))
        .map(LeaderLease::token)
        .contains(2L);
  }

  private EngineRecord insertEngine(String id, String node) throws Exception {
    EngineRecord record =
        EngineFixtures.full(id, database.stored(EngineFixtures.T0))
            .withState(EngineState.READY, database.stored(EngineFixtures.T0));
    engines.insert(record, EngineFixtures.firstEvent(record));
    if (!node.equals("node-a")) {
      try (Connection connection = database.rawConnection();
          PreparedStatement move =
              connection.prepareStatement("UPDATE engines SET node_id = ? WHERE id = ?")) {
        move.setString(1, node);
        move.setString(2, id);
        move.executeUpdate();
      }
    }
    return record;
  }

  @Test
  void everyNodesEnginesAreListedWithTheirNode() throws Exception {
    EngineRecord mine = insertEngine("eng-00000000000a", "node-a");
    EngineRecord theirs = insertEngine("eng-00000000000b", "node-b");

    assertThat(store.engines())
        .containsExactlyInAnyOrder(
            new ClusterEngine("node-a", mine), new ClusterEngine("node-b", theirs));
    assertThat(store.engine(theirs.id())).contains(new ClusterEngine("node-b", theirs));
    assertThat(store.engine("eng-000000000000")).isEmpty();
    assertThat(engines.findAll()).as("the engine store stays this node's").containsExactly(mine);
  }

  @Test
  void theLeaderFailsALostNodesEngineWithItsEventAndAStaleLeaderCannot() throws Exception {
    EngineRecord theirs = insertEngine("eng-00000000000b", "node-b");
    LeaderLease old = store.acquire("node-a", T0, LEASE).orElseThrow();
    // node-a was paused past its lease; node-c leads now
    LeaderLease current = store.acquire("node-c", T0.plusSeconds(7), LEASE).orElseThrow();

    assertThatThrownBy(
            () ->
                store.failEngine(
                    old, theirs.id(), "node-b", EngineState.READY, "node node-b lost", T0))
        .isInstanceOf(StaleLeaderException.class)
        .hasMessageContaining("token 1")
        .hasMessageContaining("node node-c leads with token 2");
    assertThat(store.engine(theirs.id()).orElseThrow().record().state())
        .isEqualTo(EngineState.READY);

    Instant at = T0.plusSeconds(8);
    assertThat(
            store.failEngine(
                current, theirs.id(), "node-b", EngineState.READY, "node node-b lost", at))
        .isTrue();

    EngineRecord failed = store.engine(theirs.id()).orElseThrow().record();
    assertThat(failed.state()).isEqualTo(EngineState.ERROR);
    assertThat(failed.lastError()).isEqualTo("node node-b lost");
    assertThat(failed.stateSince()).isEqualTo(at);
    EngineEvent event = engines.events(theirs.id(), 1).get(0);
    assertThat(event.from()).isEqualTo(EngineState.READY);
    assertThat(event.to()).isEqualTo(EngineState.ERROR);
    assertThat(event.reason()).isEqualTo("node node-b lost (leader node-c, token 2)");
    // it changed meanwhile: nothing more happens
    assertThat(store.failEngine(current, theirs.id(), "node-b", EngineState.READY, "again", at))
        .isFalse();
  }

  @Test
  void aDrainingEngineOfALostNodeEndsStopped() throws Exception {
    EngineRecord theirs = insertEngine("eng-00000000000b", "node-b");
    engines.update(theirs.withState(EngineState.DRAINING, database.stored(EngineFixtures.T0)));
    LeaderLease lease = store.acquire("node-a", T0, LEASE).orElseThrow();

    store.failEngine(lease, theirs.id(), "node-b", EngineState.DRAINING, "node node-b lost", T0);

    assertThat(store.engine(theirs.id()).orElseThrow().record().state())
        .isEqualTo(EngineState.STOPPED);
  }

  private EngineCommand command(String node, CommandAction action) {
    return EngineCommand.pending(node, "eng-00000000000b", action, "{\"drain\":true}", "admin", T0);
  }

  @Test
  void aCommandRoundTripsAndIsListedForItsNode() {
    EngineCommand stored = store.submit(command("node-b", CommandAction.STOP));

    assertThat(stored.id()).isPositive();
    assertThat(stored)
        .usingRecursiveComparison()
        .ignoringFields("id")
        .isEqualTo(command("node-b", CommandAction.STOP));
    assertThat(store.command(stored.id())).contains(stored);
    assertThat(store.commandsOf("node-b", CommandState.PENDING)).containsExactly(stored);
    assertThat(store.commandsOf("node-a", CommandState.PENDING)).isEmpty();
    assertThat(store.unplaced()).isEmpty();
  }

  @Test
  void takingACommandSucceedsOnceAndItsErrorIsKept() {
    EngineCommand stored = store.submit(command("node-b", CommandAction.RESTART));
    Instant at = T0.plusSeconds(1);

    assertThat(store.advance(stored.id(), CommandState.PENDING, CommandState.RUNNING, null, at))
        .isTrue();
    assertThat(store.advance(stored.id(), CommandState.PENDING, CommandState.RUNNING, null, at))
        .as("taken once")
        .isFalse();
    EngineCommand.CommandError error =
        new EngineCommand.CommandError("ILLEGAL_STATE", "it is READY", "state");
    store.advance(stored.id(), CommandState.RUNNING, CommandState.FAILED, error, at);

    EngineCommand failed = store.command(stored.id()).orElseThrow();
    assertThat(failed.state()).isEqualTo(CommandState.FAILED);
    assertThat(failed.error()).isEqualTo(error);
    assertThat(failed.updatedAt()).isEqualTo(at);
  }

  @Test
  void anUnplacedStartIsPlacedOnceByTheCurrentLeaderOnly() {
    EngineCommand start = store.submit(command("", CommandAction.START));
    assertThat(store.unplaced()).containsExactly(start);
    LeaderLease old = store.acquire("node-a", T0, LEASE).orElseThrow();
    LeaderLease current = store.acquire("node-b", T0.plusSeconds(7), LEASE).orElseThrow();

    assertThatThrownBy(() -> store.place(old, start.id(), "node-a", T0.plusSeconds(8)))
        .isInstanceOf(StaleLeaderException.class);
    assertThat(store.unplaced()).containsExactly(start);

    assertThat(store.place(current, start.id(), "node-c", T0.plusSeconds(8))).isTrue();
    assertThat(store.place(current, start.id(), "node-a", T0.plusSeconds(8))).isFalse();

    EngineCommand placed = store.command(start.id()).orElseThrow();
    assertThat(placed.nodeId()).isEqualTo("node-c");
    assertThat(placed.leaderToken()).isEqualTo(2);
    assertThat(store.unplaced()).isEmpty();
    assertThat(store.commandsOf("node-c", CommandState.PENDING)).containsExactly(placed);
  }

  @Test
  void commandsAreListedOldestFirst() {
    List<Long> ids =
        List.of(
            store.submit(command("node-b", CommandAction.STOP)).id(),
            store.submit(command("node-b", CommandAction.RESTART)).id(),
            store.submit(command("node-b", CommandAction.REMOVE)).id());

    assertThat(store.commandsOf("node-b", CommandState.PENDING))
        .extracting(EngineCommand::id)
        .containsExactlyElementsOf(ids);
    assertThat(ChronoUnit.SECONDS.between(T0, store.command(ids.get(0)).orElseThrow().createdAt()))
        .isZero();
  }

  @Test
  void theOpenCommandsAreThePendingAndRunningOnesOfEveryNodeAndTheUnplaced() {
    EngineCommand pending = store.submit(command("node-b", CommandAction.STOP));
    EngineCommand unplaced = store.submit(command("", CommandAction.START));
    EngineCommand running = store.submit(command("node-c", CommandAction.RESTART));
    EngineCommand done = store.submit(command("node-c", CommandAction.REMOVE));
    Instant at = T0.plusSeconds(1);
    store.advance(running.id(), CommandState.PENDING, CommandState.RUNNING, null, at);
    store.advance(done.id(), CommandState.PENDING, CommandState.RUNNING, null, at);
    store.advance(done.id(), CommandState.RUNNING, CommandState.DONE, null, at);

    assertThat(store.openCommands())
        .extracting(EngineCommand::id)
        .containsExactly(pending.id(), unplaced.id(), running.id());
  }

  @Test
  void theLeaderPrunesOnlyTheCommandsFinishedBeforeTheCutAndAStaleLeaderCannot() {
    EngineCommand old = store.submit(command("node-b", CommandAction.STOP));
    EngineCommand recent = store.submit(command("node-b", CommandAction.RESTART));
    EngineCommand open = store.submit(command("node-b", CommandAction.REMOVE));
    store.advance(old.id(), CommandState.PENDING, CommandState.FAILED, null, T0.plusSeconds(1));
    store.advance(recent.id(), CommandState.PENDING, CommandState.RUNNING, null, T0);
    store.advance(recent.id(), CommandState.RUNNING, CommandState.DONE, null, T0.plusSeconds(9));
    LeaderLease stale = store.acquire("node-a", T0, LEASE).orElseThrow();
    LeaderLease leader = store.acquire("node-b", T0.plusSeconds(7), LEASE).orElseThrow();

    assertThatThrownBy(() -> store.pruneCommands(stale, T0.plusSeconds(5)))
        .isInstanceOf(StaleLeaderException.class);
    assertThat(store.command(old.id())).isPresent();

    assertThat(store.pruneCommands(leader, T0.plusSeconds(5))).isEqualTo(1);
    assertThat(store.command(old.id())).isEmpty();
    assertThat(store.command(recent.id())).isPresent();
    assertThat(store.command(open.id())).isPresent();
  }

  @Test
  void eachNodesActivityReplacesOnlyItsOwnRows() {
    Instant used = T0.minusSeconds(30);
    store.publishActivity(
        "node-a",
        List.of(
            new ModelActivity("node-a", "llama", used, 2, 1, T0),
            new ModelActivity("node-a", "qwen", null, 0, 0, T0)));
    store.publishActivity("node-b", List.of(new ModelActivity("node-b", "llama", T0, 0, 4, T0)));

    assertThat(store.activity())
        .containsExactly(
            new ModelActivity("node-a", "llama", used, 2, 1, T0),
            new ModelActivity("node-a", "qwen", null, 0, 0, T0),
            new ModelActivity("node-b", "llama", T0, 0, 4, T0));

    store.publishActivity(
        "node-a", List.of(new ModelActivity("node-a", "llama", T0, 0, 0, T0.plusSeconds(1))));

    assertThat(store.activity())
        .containsExactly(
            new ModelActivity("node-a", "llama", T0, 0, 0, T0.plusSeconds(1)),
            new ModelActivity("node-b", "llama", T0, 0, 4, T0));
    assertThatThrownBy(
            () ->
                store.publishActivity(
                    "node-a", List.of(new ModelActivity("node-b", "x", T0, 0, 0, T0))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.activity()).hasSize(2);
  }
}

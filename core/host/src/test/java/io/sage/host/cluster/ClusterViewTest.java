package io.sage.host.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Records;
import io.sage.host.fake.ManualScheduler;
import io.sage.host.routing.EngineRouter;
import io.sage.host.store.ClusterChanges;
import io.sage.host.store.InMemoryEngineStore;
import io.sage.spi.engine.EngineKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
  private static final Duration REFRESH = Duration.ofSeconds(3);

  /** This node's rows in the in-memory store, the other nodes' rows beside them. */
  static final class SharedStore extends InMemoryEngineStore {
    final Map<String, ClusterEngine> others = new LinkedHashMap<>();
    volatile boolean down;
    int reads;

    @Override
    public synchronized List<ClusterEngine> findOtherNodes() {
      reads++;
      failIfDown();
      return new ArrayList<>(others.values());
    }

    @Override
    public synchronized Optional<ClusterEngine> findOnAnyNode(String id) {
      reads++;
      failIfDown();
      if (others.containsKey(id)) {
        return Optional.of(others.get(id));
      }
      return find(id).map(r -> new ClusterEngine("node-self", r));
    }

    synchronized void put(String node, EngineRecord record) {
      others.put(record.id(), new ClusterEngine(node, record));
    }

    private void failIfDown() {
      if (down) {
        throw new IllegalStateException("Connection to db:5432 refused");
      }
    }
  }

  /** A feed the test drives: what the database would announce. */
  static final class ScriptedChanges implements ClusterChanges {
    final List<Listener> listeners = new ArrayList<>();

    @Override
    public AutoCloseable subscribe(Listener listener) {
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }

    void engineChanged(String node, String id) {
      listeners.forEach(l -> l.engineChanged(node, id));
    }

    void reconnected() {
      listeners.forEach(Listener::reconnected);
    }
  }

  final SharedStore store = new SharedStore();
  final ManualScheduler scheduler = new ManualScheduler();
  final EngineRegistry registry = new EngineRegistry(store, scheduler.clock());
  final EngineRouter router = new EngineRouter(registry);
  final ScriptedChanges changes = new ScriptedChanges();
  final ClusterView view = new ClusterView(registry, store, scheduler, "node-self", REFRESH);

  static EngineRecord ready(String id, String model) {
    EngineRecord starting = Records.starting(id, model, EngineKind.LLM);
    return starting.withState(EngineState.READY, Instant.parse("2026-01-01T00:00:01Z"));
  }

  static EngineRecord in(EngineRecord record, EngineState state, int second) {
    return record.withState(state, Instant.parse("2026-01-01T00:00:00Z").plusSeconds(second));
  }

  @Test
  void anotherNodesReadyEngineIsRoutedToButNotSupervisedHere() {
    store.put("node-b", ready("eng-0000000000b1", "m"));
    view.start(changes);

    assertThat(registry.all()).as("this node's own engines: what supervision acts on").isEmpty();
    assertThat(registry.cluster()).extracting(EngineEntry::id).containsExactly("eng-0000000000b1");
    EngineEntry chosen = router.choose("m", EngineKind.LLM, List.of()).orElseThrow();
    assertThat(chosen.id()).isEqualTo("eng-0000000000b1");
    assertThat(chosen.isLocal()).isFalse();
    assertThat(chosen.nodeId()).isEqualTo("node-b");
    assertThat(router.isKnown("m", EngineKind.LLM)).isTrue();
    assertThat(router.readyCount("m")).isEqualTo(1);
  }

  @Test
  void anAnnouncedChangeIsReadAtOnceAndADeletedEngineIsForgotten() {
    EngineRecord b1 = ready("eng-0000000000b1", "m");
    store.put("node-b", b1);
    view.start(changes);

    store.put("node-b", in(b1, EngineState.DRAINING, 5));
    changes.engineChanged("node-b", b1.id());
    assertThat(registry.findInCluster(b1.id()).orElseThrow().state())
        .isEqualTo(EngineState.DRAINING);
    assertThat(router.choose("m", EngineKind.LLM, List.of())).isEmpty();

    EngineRecord b2 = ready("eng-0000000000b2", "m");
    store.put("node-b", b2);
    changes.engineChanged("node-b", b2.id());
    assertThat(router.choose("m", EngineKind.LLM, List.of()))
        .map(EngineEntry::id)
        .contains(b2.id());

    store.others.remove(b1.id());
    changes.engineChanged("node-b", b1.id());
    assertThat(registry.findInCluster(b1.id())).isEmpty();
  }

  @Test
  void theLeasesCountOfAnotherNodesEngineSurvivesARereadOfItsRow() {
    EngineRecord b1 = ready("eng-0000000000b1", "m");
    store.put("node-b", b1);
    view.start(changes);
    EngineEntry entry = registry.findInCluster(b1.id()).orElseThrow();
    entry.requestStarted();

    store.put("node-b", b1.withHealth(b1.health(), Instant.parse("2026-01-01T00:00:09Z")));
    changes.engineChanged("node-b", b1.id());

    assertThat(registry.findInCluster(b1.id()).orElseThrow()).isSameAs(entry);
    assertThat(entry.inFlight()).isEqualTo(1);
  }

  @Test
  void thisNodesOwnAnnouncementsAndRowsAreLeftToItself() {
    EngineEntry own =
        registry.create(Records.starting("eng-00000000000a", "m", EngineKind.LLM), "t");
    // a row of this node listed among the others (a node id claimed in between) is not taken over
    store.put("node-b", ready(own.id(), "m"));
    view.start(changes);
    int reads = store.reads;
    changes.engineChanged("node-self", own.id());

    assertThat(store.reads).as("no read for this node's own write").isEqualTo(reads);
    assertThat(registry.findInCluster(own.id()).orElseThrow()).isSameAs(own);
    assertThat(own.state()).isEqualTo(EngineState.STARTING);
    assertThat(registry.cluster()).hasSize(1);
  }

  @Test
  void thePeriodicReadCatchesWhatNoAnnouncementSaid() {
    EngineRecord b1 = ready("eng-0000000000b1", "m");
    store.put("node-b", b1);
    view.start(changes);

    store.put("node-c", ready("eng-0000000000c1", "m"));
    store.others.remove(b1.id());
    scheduler.advance(REFRESH);

    assertThat(registry.cluster()).extracting(EngineEntry::id).containsExactly("eng-0000000000c1");
  }

  @Test
  void whileTheDatabaseIsDownTheLastKnownEnginesKeepServingAndItCatchesUpAfter() {
    EngineRecord b1 = ready("eng-0000000000b1", "m");
    store.put("node-b", b1);
    view.start(changes);

    store.down = true;
    scheduler.advance(REFRESH);
    changes.engineChanged("node-b", b1.id());
    assertThat(router.choose("m", EngineKind.LLM, List.of()))
        .as("routing goes on with what was last read")
        .map(EngineEntry::id)
        .contains(b1.id());

    // what happened meanwhile: b1 failed, c1 started; the feed's reconnection says read everything
    store.put("node-b", in(b1, EngineState.ERROR, 20));
    store.put("node-c", ready("eng-0000000000c1", "m"));
    store.down = false;
    changes.reconnected();
    scheduler.runDue();

    assertThat(registry.findInCluster(b1.id()).orElseThrow().state()).isEqualTo(EngineState.ERROR);
    assertThat(router.choose("m", EngineKind.LLM, List.of()))
        .map(EngineEntry::id)
        .contains("eng-0000000000c1");
  }

  @Test
  void aReadBegunBeforeANewerOneWasAppliedDoesNotUndoIt() {
    EngineRecord b1 = ready("eng-0000000000b1", "m");
    store.put("node-b", b1);
    view.start(changes);

    long slowFullRead = registry.foreignMark();
    List<ClusterEngine> stale = store.findOtherNodes();
    store.put("node-b", in(b1, EngineState.DRAINING, 5));
    changes.engineChanged("node-b", b1.id());
    registry.replaceForeign(stale, slowFullRead);
    assertThat(registry.findInCluster(b1.id()).orElseThrow().state())
        .isEqualTo(EngineState.DRAINING);

    long slowRead = registry.foreignMark();
    store.others.remove(b1.id());
    changes.engineChanged("node-b", b1.id());
    registry.putForeign(new ClusterEngine("node-b", b1), slowRead);
    assertThat(registry.findInCluster(b1.id()))
        .as("deleted, and a late read brings it not back")
        .isEmpty();
  }

  @Test
  void closingStopsTheFeedAndTheTimer() {
    view.start(changes);
    view.close();
    int reads = store.reads;
    scheduler.advance(REFRESH.multipliedBy(3));
    assertThat(changes.listeners).isEmpty();
    assertThat(store.reads).isEqualTo(reads);
  }
}

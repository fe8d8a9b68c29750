package io.sage.host.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.fake.ManualClock;
import io.sage.host.store.InMemoryEngineStore;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Commit first, then visible: what listeners and readers see of a transition. */
class EngineRegistryTest {
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void aListenerSeesTheCommittedRecordAndTheStoredEvent() {
    InMemoryEngineStore store = new InMemoryEngineStore();
    EngineRegistry registry = new EngineRegistry(store, clock);
    List<String> seen = new ArrayList<>();
    registry.addListener(
        (record, event) ->
            seen.add(
                event.to()
                    + " stored="
                    + store.find(record.id()).map(EngineRecord::state).orElse(null)
                    + " events="
                    + store.events(record.id(), 10).size()));
    EngineEntry entry =
        registry.create(Records.starting("eng-000000000001", "m", EngineKind.LLM), "new");
    clock.advance(Duration.ofSeconds(1));

    registry.transition(entry, EngineState.READY, "ready", r -> r);

    assertThat(seen)
        .containsExactly("STARTING stored=STARTING events=1", "READY stored=READY events=2");
    assertThat(entry.record().stateSince()).isEqualTo(clock.instant());
  }

  @Test
  void anIllegalTransitionChangesNothing() {
    InMemoryEngineStore store = new InMemoryEngineStore();
    EngineRegistry registry = new EngineRegistry(store, clock);
    EngineEntry entry =
        registry.create(Records.starting("eng-000000000002", "m", EngineKind.LLM), "new");

    assertThatThrownBy(() -> registry.transition(entry, EngineState.DRAINING, "no", r -> r))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(store.events(entry.id(), 10)).hasSize(1);
  }

  @Test
  void transitionIfIsFalseWhenTheStateMovedOn() {
    EngineRegistry registry = new EngineRegistry(new InMemoryEngineStore(), clock);
    EngineEntry entry =
        registry.create(Records.starting("eng-000000000003", "m", EngineKind.LLM), "new");

    assertThat(registry.transitionIf(entry, EngineState.READY, EngineState.DRAINING, "x", r -> r))
        .isFalse();
    assertThat(registry.transitionIf(entry, EngineState.STARTING, EngineState.READY, "x", r -> r))
        .isTrue();
  }

  @Test
  void aFailingListenerDoesNotStopTheOthersOrTheTransition() {
    EngineRegistry registry = new EngineRegistry(new InMemoryEngineStore(), clock);
    List<EngineState> seen = new ArrayList<>();
    registry.addListener(
        (record, event) -> {
          throw new IllegalStateException("listener bug");
        });
    registry.addListener((record, event) -> seen.add(event.to()));

    EngineEntry entry =
        registry.create(Records.starting("eng-000000000004", "m", EngineKind.LLM), "new");
    registry.transition(entry, EngineState.ERROR, "x", r -> r);

    assertThat(seen).containsExactly(EngineState.STARTING, EngineState.ERROR);
    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
  }

  @Test
  void loadBringsBackEveryEngineOldestFirstAndRemoveForgetsOne() {
    InMemoryEngineStore store = new InMemoryEngineStore();
    EngineRecord older = Records.starting("eng-00000000000b", "m", EngineKind.LLM);
    EngineRecord newer =
        EngineRecord.starting(
            "eng-00000000000a",
            older.spec(),
            older.placement(),
            "k",
            older.createdAt().plusSeconds(1));
    store.insert(
        newer, new EngineEvent(0, newer.id(), null, EngineState.STARTING, "x", newer.createdAt()));
    store.insert(
        older, new EngineEvent(0, older.id(), null, EngineState.STARTING, "x", older.createdAt()));
    EngineRegistry registry = new EngineRegistry(store, clock);

    registry.load();

    assertThat(registry.all()).extracting(EngineEntry::id).containsExactly(older.id(), newer.id());
    registry.remove(registry.require(older.id()));
    assertThat(registry.all()).extracting(EngineEntry::id).containsExactly(newer.id());
    assertThat(store.find(older.id())).isEmpty();
    assertThatThrownBy(() -> registry.require(older.id()))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
        .hasMessage("engine '" + older.id() + "' not found");
    assertThat(registry.find(null)).isEmpty();
  }

  @Test
  void anUpdateIsStoredWithoutAnEvent() {
    InMemoryEngineStore store = new InMemoryEngineStore();
    EngineRegistry registry = new EngineRegistry(store, clock);
    EngineEntry entry =
        registry.create(Records.starting("eng-000000000005", "m", EngineKind.LLM), "new");

    registry.update(entry, r -> r.withHealth(Health.passed(clock.instant()), clock.instant()));

    assertThat(store.find(entry.id()).orElseThrow().health().lastHeartbeatAt())
        .isEqualTo(clock.instant());
    assertThat(store.events(entry.id(), 10)).hasSize(1);
  }

  @Test
  void theInFlightCountFollowsLeases() {
    EngineEntry entry = Records.entry(Records.starting("eng-000000000006", "m", EngineKind.LLM));
    entry.requestStarted();
    entry.requestStarted();
    entry.requestFinished();
    assertThat(entry.inFlight()).isEqualTo(1);
    assertThat(entry.serves("m")).isTrue();
    assertThat(entry.serves("other")).isFalse();
    assertThat(entry.isRoutable()).isFalse();
  }
}

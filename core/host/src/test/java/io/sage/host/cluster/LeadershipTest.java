package io.sage.host.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.fake.ManualScheduler;
import io.sage.host.store.StaleLeaderException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeadershipTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(6);
  private static final Duration RENEW = Duration.ofSeconds(2);
  private final InMemoryClusterStore store = new InMemoryClusterStore();

  /** Each node runs on its own clock and timers, so one can be paused while the other runs. */
  private Leadership node(String id, ManualScheduler scheduler) {
    return new Leadership(store, scheduler, id, LEASE, RENEW);
  }

  @Test
  void aSingleNodeLeadsAtOnceAndKeepsItsTokenWhileItRenews() {
    ManualScheduler scheduler = new ManualScheduler(START);
    Leadership a = node("a", scheduler);

    a.start();

    assertThat(a.current()).map(LeaderLease::token).contains(1L);
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(a.current()).map(LeaderLease::token).contains(1L);
    assertThat(store.leader()).map(LeaderLease::nodeId).contains("a");
    assertThat(store.leader().orElseThrow().expiresAt()).isAfter(scheduler.now());
  }

  @Test
  void aSecondNodeWaitsWhileTheLeaderRenewsAndTakesOverWithTheNextTokenWhenItDies() {
    ManualScheduler clockA = new ManualScheduler(START);
    ManualScheduler clockB = new ManualScheduler(START);
    Leadership a = node("a", clockA);
    Leadership b = node("b", clockB);
    a.start();
    b.start();
    for (int i = 0; i < 10; i++) {
      clockA.advance(Duration.ofSeconds(1));
      clockB.advance(Duration.ofSeconds(1));
    }
    assertThat(a.isLeader()).isTrue();
    assertThat(b.isLeader()).isFalse();

    // a dies: its timers never run again; b takes over within the lease plus one interval
    Instant died = clockB.now();
    clockB.advanceUntil(b::isLeader, Duration.ofSeconds(30));

    assertThat(Duration.between(died, clockB.now())).isLessThanOrEqualTo(LEASE.plus(RENEW));
    assertThat(b.current()).map(LeaderLease::token).contains(2L);
  }

  @Test
  void aLeaderPausedPastItsLeaseStepsDownAndItsLateWritesAreRefused() {
    ManualScheduler clockA = new ManualScheduler(START);
    ManualScheduler clockB = new ManualScheduler(START);
    Leadership a = node("a", clockA);
    Leadership b = node("b", clockB);
    List<Optional<LeaderLease>> changesOfA = new ArrayList<>();
    a.onChange(changesOfA::add);
    a.start();
    b.start();
    LeaderLease old = a.current().orElseThrow();

    // a is paused (SIGSTOP, a long GC): b takes over meanwhile
    clockB.advanceUntil(b::isLeader, Duration.ofSeconds(30));
    // a's clock moved on too: by its own clock its lease ran out, so it no longer acts as leader
    clockA.advance(Duration.ofSeconds(9));

    assertThat(a.isLeader()).isFalse();
    assertThat(b.current()).map(LeaderLease::token).contains(2L);
    assertThat(changesOfA).containsExactly(Optional.of(old), Optional.empty());
    // a write a still makes with its old token is refused by the store
    assertThatThrownBy(() -> store.place(old, 1, "a", clockA.now()))
        .isInstanceOf(StaleLeaderException.class)
        .hasMessageContaining("token 1");
  }

  @Test
  void aRenewalRefusedByTheStoreEndsTheTenureAtOnce() {
    ManualScheduler clockA = new ManualScheduler(START);
    Leadership a = node("a", clockA);
    a.start();
    LeaderLease old = a.current().orElseThrow();
    // another node took the lease (the store says so; a's clock is behind)
    store.release(old);
    store.acquire("b", clockA.now(), LEASE);

    clockA.advance(RENEW);

    assertThat(a.isLeader()).isFalse();
    assertThat(store.leader()).map(LeaderLease::nodeId).contains("b");
  }

  @Test
  void aStoreThatFailsKeepsTheLeaseUntilItRunsOut() {
    ManualScheduler clockA = new ManualScheduler(START);
    Leadership a = node("a", clockA);
    a.start();
    store.down = true;

    clockA.advance(Duration.ofSeconds(4));
    assertThat(a.isLeader()).as("lease still runs").isTrue();
    clockA.advance(Duration.ofSeconds(4));
    assertThat(a.isLeader()).as("lease ran out").isFalse();

    store.down = false;
    clockA.advance(RENEW);
    assertThat(a.current()).map(LeaderLease::token).contains(2L);
  }

  @Test
  void closingGivesTheLeaseUpSoAnotherNodeLeadsAtOnce() {
    ManualScheduler clockA = new ManualScheduler(START);
    ManualScheduler clockB = new ManualScheduler(START);
    Leadership a = node("a", clockA);
    Leadership b = node("b", clockB);
    a.start();
    b.start();

    a.close();
    clockB.advance(RENEW);

    assertThat(b.current()).map(LeaderLease::token).contains(2L);
  }

  @Test
  void aLeaseShorterThanTwoRenewalsIsRefused() {
    assertThatThrownBy(
            () ->
                new Leadership(
                    store, new ManualScheduler(START), "a", Duration.ofSeconds(3), RENEW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least twice");
  }
}

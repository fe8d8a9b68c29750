package io.sage.host.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.fake.ManualClock;
import io.sage.host.store.InMemoryEngineStore;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuditTrailTest {
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void writesRowsStampedByTheClockAndReadsThemNewestFirst() {
    InMemoryEngineStore store = new InMemoryEngineStore();
    AuditTrail audit = new AuditTrail(store, clock);
    audit.record("alice", "engine.start", "eng-1", "accepted", "runtime mock");
    clock.advance(java.time.Duration.ofSeconds(1));
    audit.record("bob", "engine.stop", "eng-1", "error", "already STOPPED");

    assertThat(audit.query(new AuditQuery(null, null, "eng-1", 10, 0)))
        .extracting(AuditEntry::actor, AuditEntry::action, AuditEntry::outcome, AuditEntry::at)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "bob", "engine.stop", "error", Instant.parse("2026-01-01T00:00:01Z")),
            org.assertj.core.groups.Tuple.tuple(
                "alice", "engine.start", "accepted", Instant.parse("2026-01-01T00:00:00Z")));
  }

  @Test
  void aStoreThatFailsNeverFailsTheActionItRecords() {
    InMemoryEngineStore broken =
        new InMemoryEngineStore() {
          @Override
          public synchronized void audit(AuditEntry entry) {
            throw new IllegalStateException("disk full");
          }
        };
    AuditTrail audit = new AuditTrail(broken, clock);

    audit.record("alice", "engine.start", null, "error", "bad request");

    assertThat(broken.audit(new AuditQuery(null, null, null, 10, 0))).isEmpty();
  }
}

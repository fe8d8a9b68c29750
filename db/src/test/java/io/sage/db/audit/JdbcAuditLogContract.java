package io.sage.db.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabase;
import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import io.sage.host.store.EngineStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log through the store port, on each database ({@link JdbcAuditLogTest}, {@link
 * JdbcAuditLogPostgresTest}); the rows are written once, the tests only read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JdbcAuditLogContract {
  @TempDir static Path dataDir;
  private Instant t0;
  private ApplicationContext context;
  private EngineStore store;

  abstract TestDatabase database(Path dataDir);

  @BeforeAll
  void writeRows() {
    TestDatabase database = database(dataDir);
    t0 = database.stored(Instant.parse("2025-01-02T03:04:05.000000001Z"));
    context = database.start();
    store = context.getBean(EngineStore.class);
    // ten rows, oldest first: actors alternate, actions cycle through three, targets through two
    String[] actions = {"engine.start", "engine.stop", "engine.delete"};
    for (int i = 0; i < 10; i++) {
      store.audit(
          new AuditEntry(
              0,
              t0.plusSeconds(i),
              i % 2 == 0 ? "key-admin" : "key-ops",
              actions[i % 3],
              i % 2 == 0 ? "eng-00000000000" + (i % 4) : null,
              i == 9 ? "error" : "ok",
              i == 9 ? "engine eng-x is READY" : null));
    }
  }

  @AfterAll
  void stop() {
    context.close();
  }

  private List<Integer> seconds(List<AuditEntry> entries) {
    return entries.stream()
        .map(e -> (int) (e.at().getEpochSecond() - t0.getEpochSecond()))
        .toList();
  }

  @Test
  void everythingIsNewestFirst() {
    List<AuditEntry> all = store.audit(new AuditQuery(null, null, null, 100, 0));

    assertThat(seconds(all)).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  }

  @Test
  void everyFieldRoundTrips() {
    AuditEntry newest = store.audit(new AuditQuery(null, null, null, 1, 0)).get(0);

    assertThat(newest.id()).isPositive();
    assertThat(newest)
        .isEqualTo(
            new AuditEntry(
                newest.id(),
                t0.plusSeconds(9),
                "key-ops",
                "engine.start",
                null,
                "error",
                "engine eng-x is READY"));
  }

  @Test
  void pagesFollowEachOther() {
    assertThat(seconds(store.audit(new AuditQuery(null, null, null, 4, 0))))
        .containsExactly(9, 8, 7, 6);
    assertThat(seconds(store.audit(new AuditQuery(null, null, null, 4, 4))))
        .containsExactly(5, 4, 3, 2);
    assertThat(seconds(store.audit(new AuditQuery(null, null, null, 4, 8)))).containsExactly(1, 0);
    assertThat(store.audit(new AuditQuery(null, null, null, 4, 12))).isEmpty();
  }

  @Test
  void filtersByActor() {
    assertThat(seconds(store.audit(new AuditQuery("key-ops", null, null, 100, 0))))
        .containsExactly(9, 7, 5, 3, 1);
  }

  @Test
  void filtersByAction() {
    assertThat(seconds(store.audit(new AuditQuery(null, "engine.stop", null, 100, 0))))
        .containsExactly(7, 4, 1);
  }

  @Test
  void filtersByTarget() {
    assertThat(seconds(store.audit(new AuditQuery(null, null, "eng-000000000000", 100, 0))))
        .containsExactly(8, 4, 0);
  }

  @Test
  void filtersCombineAndPage() {
    assertThat(seconds(store.audit(new AuditQuery("key-admin", "engine.start", null, 1, 1))))
        .containsExactly(0);
    assertThat(seconds(store.audit(new AuditQuery("key-admin", "engine.start", null, 100, 0))))
        .containsExactly(6, 0);
  }

  @Test
  void unknownFilterValueMatchesNothing() {
    assertThat(store.audit(new AuditQuery("key-nobody", null, null, 100, 0))).isEmpty();
  }

  @Test
  void aTimeWindowIncludesItsStartAndExcludesItsEnd() {
    AuditQuery window =
        new AuditQuery(null, null, null, t0.plusSeconds(3), t0.plusSeconds(6), 100, 0);
    assertThat(seconds(store.audit(window))).containsExactly(5, 4, 3);
    AuditQuery since = new AuditQuery("key-ops", null, null, t0.plusSeconds(6), null, 100, 0);
    assertThat(seconds(store.audit(since))).containsExactly(9, 7);
    AuditQuery until = new AuditQuery(null, null, null, null, t0.plusSeconds(2), 1, 1);
    assertThat(seconds(store.audit(until))).containsExactly(0);
  }
}

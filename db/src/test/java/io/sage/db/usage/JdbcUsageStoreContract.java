package io.sage.db.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabase;
import io.sage.host.usage.BudgetPeriod;
import io.sage.host.usage.KeyLimits;
import io.sage.host.usage.UsageQuery;
import io.sage.host.usage.UsageRecord;
import io.sage.host.usage.UsageTotals;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage rows and roll-ups on each real database with its real migrations ({@link
 * JdbcUsageStoreTest}, {@link JdbcUsageStorePostgresTest}).
 */
abstract class JdbcUsageStoreContract {
  abstract TestDatabase database(Path dataDir);

  private static final Instant T0 = Instant.parse("2026-03-01T10:15:00Z");

  private static UsageRecord record(Instant at, String key, String model, long p, long c) {
    return new UsageRecord(at, key, model, "e-1", "/v1/chat/completions", 200, p, c, 5, 20);
  }

  @Test
  void rollUpsAgreeWithTheRowsAcrossBatchesAndSurviveARestart(@TempDir Path dataDir) {
    TestDatabase database = database(dataDir);
    List<UsageRecord> first = new ArrayList<>();
    first.add(record(T0, "key-a", "m1", 3, 7));
    first.add(record(T0.plusSeconds(60), "key-a", "m1", 1, 1));
    first.add(record(T0.plusSeconds(3600), "key-b", "m2", 10, 0));
    List<UsageRecord> second =
        List.of(
            record(T0.plusSeconds(120), "key-a", "m1", 2, 2),
            new UsageRecord(
                T0.plusSeconds(86_400), "key-a", "m2", null, "/v1/embeddings", 503, 0, 0, -1, 1));
    try (ApplicationContext context = database.start()) {
      JdbcUsageStore store = context.getBean(JdbcUsageStore.class);
      store.append(first);
      store.append(second);
      assertThat(store.recent(10)).hasSize(5);
      assertThat(store.recent(1).get(0).ttfbMillis()).isEqualTo(-1);
    }
    try (ApplicationContext context = database.start()) {
      JdbcUsageStore store = context.getBean(JdbcUsageStore.class);
      Instant from = T0.minusSeconds(3600);
      Instant to = T0.plusSeconds(3 * 86_400);
      assertThat(
              store.query(new UsageQuery(from, to, null, null, List.of(UsageQuery.Dimension.KEY))))
          .containsExactly(
              new UsageTotals("key-a", null, null, 4, 1, 6, 10, 16),
              new UsageTotals("key-b", null, null, 1, 0, 10, 0, 10));
      assertThat(
              store.query(
                  new UsageQuery(
                      from,
                      to,
                      "key-a",
                      null,
                      List.of(UsageQuery.Dimension.MODEL, UsageQuery.Dimension.DAY))))
          .containsExactly(
              new UsageTotals(null, "m1", Instant.parse("2026-03-01T00:00:00Z"), 3, 0, 6, 10, 16),
              new UsageTotals(null, "m2", Instant.parse("2026-03-02T00:00:00Z"), 1, 1, 0, 0, 0));
      assertThat(store.query(new UsageQuery(from, to, null, "m2", List.of())))
          .containsExactly(new UsageTotals(null, null, null, 2, 1, 10, 0, 10));
      assertThat(store.query(new UsageQuery(from, T0.minusSeconds(1800), null, null, List.of())))
          .isEmpty();
      assertThat(store.tokensByKeySince(Instant.parse("2026-03-01T11:00:00Z")))
          .containsOnlyKeys("key-a", "key-b")
          .containsEntry("key-b", 10L)
          .containsEntry("key-a", 0L);

      assertThat(store.pruneRecords(T0.plusSeconds(3600), 1000)).isEqualTo(3);
      assertThat(store.recent(10)).hasSize(2);
      // roll-ups outlive the raw rows they came from
      assertThat(store.query(new UsageQuery(from, to, "key-a", null, List.of())))
          .containsExactly(new UsageTotals(null, null, null, 4, 1, 6, 10, 16));
    }
  }

  @Test
  void rowsWrittenBeforeTheBatchTableAreStillReadAndPruned(@TempDir Path dataDir)
      throws SQLException {
    TestDatabase database = database(dataDir);
    try (ApplicationContext context = database.start()) {
      // rows as a gateway before V28 wrote them
      try (Connection connection = database.rawConnection();
          PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO usage_records (at, key_id, model, engine_id, route, status,"
                      + " prompt_tokens, completion_tokens, total_tokens, ttfb_ms, duration_ms)"
                      + " VALUES (?, 'key-old', 'm0', NULL, '/v1/completions', 200, 1, 2, 3,"
                      + " NULL, 9)")) {
        insert.setObject(1, T0.minusSeconds(7200).atOffset(ZoneOffset.UTC));
        insert.executeUpdate();
        insert.setObject(1, T0.minusSeconds(3600).atOffset(ZoneOffset.UTC));
        insert.executeUpdate();
      }
      JdbcUsageStore store = context.getBean(JdbcUsageStore.class);
      UsageRecord early = record(T0, "key-a", "m1", 3, 7);
      UsageRecord late = record(T0.plusSeconds(60), "key-a", "m1", 1, 1);
      store.append(List.of(early, late));
      assertThat(store.recent(10))
          .containsExactly(
              late,
              early,
              new UsageRecord(
                  T0.minusSeconds(3600),
                  "key-old",
                  "m0",
                  null,
                  "/v1/completions",
                  200,
                  1,
                  2,
                  -1,
                  9),
              new UsageRecord(
                  T0.minusSeconds(7200),
                  "key-old",
                  "m0",
                  null,
                  "/v1/completions",
                  200,
                  1,
                  2,
                  -1,
                  9));
      assertThat(store.recent(1)).containsExactly(late);

      // the batch straddling the cutoff keeps its newer row; the old rows go
      assertThat(store.pruneRecords(T0.plusSeconds(30), 1000)).isEqualTo(3);
      assertThat(store.recent(10)).containsExactly(late);
      assertThat(store.pruneRecords(T0.plusSeconds(30), 1000)).isZero();
      assertThat(store.pruneRecords(T0.plusSeconds(61), 1)).isEqualTo(1);
      assertThat(store.recent(10)).isEmpty();
    }
  }

  @Test
  void pruningStopsAtTheLimitInWholeBatches(@TempDir Path dataDir) {
    TestDatabase database = database(dataDir);
    try (ApplicationContext context = database.start()) {
      JdbcUsageStore store = context.getBean(JdbcUsageStore.class);
      for (int b = 0; b < 5; b++) {
        List<UsageRecord> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          batch.add(record(T0.plusSeconds(b * 10L + i), "key-a", "m1", 1, 1));
        }
        store.append(batch);
      }
      Instant all = T0.plusSeconds(3600);
      assertThat(store.pruneRecords(all, 4)).isEqualTo(6);
      assertThat(store.recent(100)).hasSize(9);
      assertThat(store.pruneRecords(all, 1000)).isEqualTo(9);
      assertThat(store.recent(100)).isEmpty();
      // roll-ups outlive the raw rows
      assertThat(store.query(new UsageQuery(T0, all, null, null, List.of())))
          .containsExactly(new UsageTotals(null, null, null, 15, 0, 15, 15, 30));
    }
  }

  @Test
  void keyLimitsRoundTripAndNoLimitsRemovesTheRow(@TempDir Path dataDir) {
    TestDatabase database = database(dataDir);
    try (ApplicationContext context = database.start()) {
      JdbcKeyLimitStore store = context.getBean(JdbcKeyLimitStore.class);
      KeyLimits limits = new KeyLimits("key-a", 60, 100_000L, 1_000_000L, BudgetPeriod.DAY, 2);
      store.put(limits, T0);
      store.put(new KeyLimits("key-b", null, null, 5L, BudgetPeriod.MONTH, 1), T0);
      assertThat(store.findAll())
          .containsExactly(limits, new KeyLimits("key-b", null, null, 5L, BudgetPeriod.MONTH, 1));
      store.put(KeyLimits.none("key-b"), T0);
      assertThat(store.findAll()).containsExactly(limits);
    }
  }

  @Test
  void budgetPeriodsAreUtcDaysAndMonths() {
    Instant at = Instant.parse("2026-02-28T23:59:59Z");
    assertThat(BudgetPeriod.DAY.start(at)).isEqualTo(Instant.parse("2026-02-28T00:00:00Z"));
    assertThat(BudgetPeriod.DAY.end(at)).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(BudgetPeriod.MONTH.start(at)).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
    assertThat(BudgetPeriod.MONTH.end(at)).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
  }
}

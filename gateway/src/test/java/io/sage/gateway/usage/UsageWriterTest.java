package io.sage.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.gateway.config.UsageConfig;
import io.sage.host.store.UsageStore;
import io.sage.host.usage.UsageQuery;
import io.sage.host.usage.UsageRecord;
import io.sage.host.usage.UsageTotals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageWriterTest {
  /** A store that keeps what it is given and can be made to refuse. */
  static final class KeepingStore implements UsageStore {
    final List<List<UsageRecord>> batches = new ArrayList<>();
    volatile boolean down;

    @Override
    public synchronized void append(List<UsageRecord> records) {
      if (down) {
        throw new IllegalStateException("database unreachable");
      }
      batches.add(List.copyOf(records));
    }

    synchronized List<UsageRecord> rows() {
      return batches.stream().flatMap(List::stream).toList();
    }

    @Override
    public List<UsageTotals> query(UsageQuery query) {
      return List.of();
    }

    @Override
    public Map<String, Long> tokensByKeySince(Instant since) {
      return Map.of();
    }

    @Override
    public int pruneRecords(Instant before, int limit) {
      return 0;
    }

    @Override
    public List<UsageRecord> recent(int limit) {
      return List.of();
    }
  }

  private static UsageConfig settings(boolean enabled, int batch, int queue) {
    return new UsageConfig(
        enabled, Duration.ofSeconds(1), batch, queue, Duration.ofDays(30), Duration.ofHours(1));
  }

  private static UsageRecord row(int i) {
    return new UsageRecord(
        Instant.ofEpochMilli(1_700_000_000_000L + i),
        "key-1",
        "m",
        "eng-1",
        "/v1/chat/completions",
        200,
        i,
        i,
        5,
        9);
  }

  @Test
  void aFlushCommitsEveryQueuedRowInBatchesInOrder() {
    KeepingStore store = new KeepingStore();
    UsageWriter writer = new UsageWriter(store, settings(false, 100, 1000), Clock.systemUTC());
    List<UsageRecord> sent = new ArrayList<>();
    for (int i = 0; i < 450; i++) {
      sent.add(row(i));
      assertThat(writer.offer(sent.get(i))).isTrue();
    }

    assertThat(writer.flush()).isTrue();
    assertThat(store.rows()).isEqualTo(sent);
    assertThat(store.batches).allSatisfy(b -> assertThat(b.size()).isLessThanOrEqualTo(100));
    assertThat(writer.written()).isEqualTo(450);
  }

  @Test
  void rowsRefusedByTheDatabaseAreKeptAndWrittenOnceItIsBack() {
    KeepingStore store = new KeepingStore();
    UsageWriter writer = new UsageWriter(store, settings(false, 10, 100), Clock.systemUTC());
    for (int i = 0; i < 25; i++) {
      writer.offer(row(i));
    }
    store.down = true;
    assertThat(writer.flush()).isFalse();
    // more arrive during the outage: one batch kept for the retry, the rest queued, none lost
    for (int i = 25; i < 60; i++) {
      assertThat(writer.offer(row(i))).isTrue();
    }
    assertThat(writer.flush()).isFalse();
    store.down = false;

    assertThat(writer.flush()).isTrue();
    assertThat(store.rows()).extracting(UsageRecord::promptTokens).hasSize(60).isSorted();
    assertThat(writer.dropped()).isZero();
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() {
    KeepingStore store = new KeepingStore();
    store.down = true;
    UsageWriter writer = new UsageWriter(store, settings(false, 2, 3), Clock.systemUTC());
    for (int i = 0; i < 3; i++) {
      writer.offer(row(i));
    }
    writer.flush();
    // one batch (2 rows) kept for the retry, 1 still queued: room for 2 more, then drops
    for (int i = 3; i < 10; i++) {
      writer.offer(row(i));
    }
    assertThat(writer.dropped()).isEqualTo(5);
  }

  @Test
  void theRunningWriterCommitsWithinItsIntervalAndAStopLosesNothing() throws Exception {
    KeepingStore store = new KeepingStore();
    UsageWriter writer = new UsageWriter(store, settings(true, 5000, 10_000), Clock.systemUTC());
    writer.offer(row(1));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (store.rows().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(store.rows()).hasSize(1);

    for (int i = 2; i <= 500; i++) {
      writer.offer(row(i));
    }
    writer.close();
    assertThat(store.rows()).hasSize(500);
  }
}

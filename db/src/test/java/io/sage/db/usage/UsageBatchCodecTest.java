package io.sage.db.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.usage.UsageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageBatchCodecTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:15:00.123Z");

  @Test
  void everyFieldOfEveryRowComesBackInOrder() {
    List<UsageRecord> rows =
        List.of(
            new UsageRecord(T0, "key-a", "m1", "e-1", "/v1/chat/completions", 200, 3, 7, 5, 20),
            new UsageRecord(
                T0.minusMillis(40), "anonymous", "m1", null, "/v1/embeddings", 503, 0, 0, -1, 1),
            new UsageRecord(
                T0.plusSeconds(7200),
                "key-a",
                "we\\ird\nmo,del\r\u00e9\u4e2d",
                "e-2",
                "/v1/completions",
                429,
                Long.MAX_VALUE / 4,
                9,
                0,
                Long.MAX_VALUE / 4));
    List<UsageBatchCodec.Encoded> encoded = UsageBatchCodec.encode(rows);
    assertThat(encoded).hasSize(1);
    UsageBatchCodec.Encoded batch = encoded.get(0);
    assertThat(batch.firstAt()).isEqualTo(T0.minusMillis(40).toEpochMilli());
    assertThat(batch.lastAt()).isEqualTo(T0.plusSeconds(7200).toEpochMilli());
    assertThat(batch.rowCount()).isEqualTo(3);
    assertThat(UsageBatchCodec.decode(batch.firstAt(), batch.text())).isEqualTo(rows);
  }

  @Test
  void repeatedStringsAreWrittenOnce() {
    List<UsageRecord> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(
          new UsageRecord(
              T0.plusMillis(i),
              "key-a",
              "llama",
              "e-1",
              "/v1/chat/completions",
              200,
              10,
              16,
              2,
              9));
    }
    UsageBatchCodec.Encoded batch = UsageBatchCodec.encode(rows).get(0);
    assertThat(batch.text().split("llama", -1)).hasSize(2);
    assertThat(batch.text().length()).isLessThan(1000 * 30);
  }

  @Test
  void aBatchTooLargeForOneValueIsSplitAndNothingIsLost() {
    List<UsageRecord> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      // distinct long model names: the worst case for the dictionary
      rows.add(
          new UsageRecord(
              T0.plusMillis(i),
              "key-" + i,
              "m".repeat(1000) + i,
              "e-" + i,
              "/v1/chat/completions",
              200,
              i,
              i,
              i,
              i));
    }
    List<UsageBatchCodec.Encoded> encoded = UsageBatchCodec.encode(rows);
    assertThat(encoded.size()).isGreaterThan(1);
    List<UsageRecord> back = new ArrayList<>();
    for (UsageBatchCodec.Encoded batch : encoded) {
      assertThat(batch.text().length()).isLessThanOrEqualTo(UsageBatchCodec.MAX_CHARS);
      back.addAll(UsageBatchCodec.decode(batch.firstAt(), batch.text()));
    }
    assertThat(back).isEqualTo(rows);
  }
}

package io.sage.host.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.fake.ManualScheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PollTest {
  final ManualScheduler scheduler = new ManualScheduler();

  @Test
  void aConditionThatHoldsCompletesAtOnce() {
    assertThat(Poll.until(scheduler, () -> true, Duration.ofSeconds(1), Duration.ofMillis(10)))
        .isCompletedWithValue(true);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void completesWithTrueAtTheFirstCheckAfterTheConditionHolds() {
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger checks = new AtomicInteger();
    CompletableFuture<Boolean> result =
        Poll.until(
            scheduler,
            () -> {
              checks.incrementAndGet();
              return done.get();
            },
            Duration.ofSeconds(10),
            Duration.ofMillis(100));
    scheduler.advance(Duration.ofMillis(250));
    assertThat(result).isNotDone();
    assertThat(checks).hasValue(3);
    done.set(true);
    scheduler.advance(Duration.ofMillis(50));
    assertThat(result).isCompletedWithValue(true);
  }

  @Test
  void completesWithFalseExactlyAtTheTimeout() {
    CompletableFuture<Boolean> result =
        Poll.until(scheduler, () -> false, Duration.ofMillis(250), Duration.ofMillis(100));
    scheduler.advance(Duration.ofMillis(249));
    assertThat(result).isNotDone();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(result).isCompletedWithValue(false);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void aZeroTimeoutChecksOnce() {
    AtomicInteger checks = new AtomicInteger();
    CompletableFuture<Boolean> result =
        Poll.until(
            scheduler, () -> checks.incrementAndGet() < 0, Duration.ZERO, Duration.ofMillis(100));
    assertThat(result).isCompletedWithValue(false);
    assertThat(checks).hasValue(1);
  }

  @Test
  void aConditionThatThrowsFailsTheFuture() {
    CompletableFuture<Boolean> result =
        Poll.until(
            scheduler,
            () -> {
              throw new IllegalStateException("broken");
            },
            Duration.ofSeconds(1),
            Duration.ofMillis(100));
    assertThat(result).isCompletedExceptionally();
  }
}

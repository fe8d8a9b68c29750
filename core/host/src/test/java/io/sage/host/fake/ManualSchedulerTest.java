package io.sage.host.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fake must keep the promises of the real scheduler, or the unit tests prove nothing. */
class ManualSchedulerTest {
  final ManualScheduler scheduler = new ManualScheduler(Instant.parse("2026-01-01T00:00:00Z"));
  final List<String> ran = new ArrayList<>();

  @Test
  void nothingRunsUntilTimeMoves() {
    scheduler.schedule(Duration.ofSeconds(1), () -> ran.add("later"));
    scheduler.execute(() -> ran.add("now"));
    assertThat(ran).isEmpty();
    scheduler.runDue();
    assertThat(ran).containsExactly("now");
    scheduler.advance(Duration.ofMillis(999));
    assertThat(ran).containsExactly("now");
    scheduler.advance(Duration.ofMillis(1));
    assertThat(ran).containsExactly("now", "later");
  }

  @Test
  void tasksRunInTimeOrderThenInTheOrderTheyWereSet() {
    scheduler.schedule(Duration.ofSeconds(2), () -> ran.add("b"));
    scheduler.schedule(Duration.ofSeconds(1), () -> ran.add("a1"));
    scheduler.schedule(Duration.ofSeconds(1), () -> ran.add("a2"));
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(ran).containsExactly("a1", "a2", "b");
  }

  @Test
  void theClockShowsEachTasksDueTimeWhileItRuns() {
    Instant start = scheduler.now();
    List<Instant> seen = new ArrayList<>();
    scheduler.schedule(Duration.ofMillis(300), () -> seen.add(scheduler.now()));
    scheduler.schedule(Duration.ofMillis(700), () -> seen.add(scheduler.now()));
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(seen).containsExactly(start.plusMillis(300), start.plusMillis(700));
    assertThat(scheduler.now()).isEqualTo(start.plusSeconds(1));
    assertThat(scheduler.clock().instant()).isEqualTo(scheduler.now());
  }

  @Test
  void tasksSetByTasksRunInTheSameAdvanceWhenTheyFallDue() {
    scheduler.schedule(
        Duration.ofMillis(100),
        () -> {
          ran.add("first");
          scheduler.schedule(Duration.ofMillis(100), () -> ran.add("second"));
          scheduler.schedule(Duration.ofSeconds(10), () -> ran.add("much later"));
        });
    scheduler.advance(Duration.ofMillis(200));
    assertThat(ran).containsExactly("first", "second");
  }

  @Test
  void aRepeatingTaskRunsEveryPeriodUntilCancelled() {
    Scheduler.Timer timer = scheduler.repeat(Duration.ofMillis(100), () -> ran.add("tick"));
    scheduler.advance(Duration.ofMillis(350));
    assertThat(ran).hasSize(3);
    timer.cancel();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(ran).hasSize(3);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void aCancelledOneShotNeverRuns() {
    Scheduler.Timer timer = scheduler.schedule(Duration.ofMillis(100), () -> ran.add("x"));
    timer.cancel();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(ran).isEmpty();
  }

  @Test
  void aNegativeDelayIsNow() {
    scheduler.schedule(Duration.ofSeconds(-5), () -> ran.add("x"));
    scheduler.runDue();
    assertThat(ran).containsExactly("x");
  }

  @Test
  void aTaskThatKeepsSchedulingItselfNowIsCaught() {
    Runnable[] loop = new Runnable[1];
    loop[0] = () -> scheduler.execute(loop[0]);
    scheduler.execute(loop[0]);
    assertThatThrownBy(scheduler::runDue).hasMessageContaining("busy loop");
  }

  @Test
  void advanceUntilStopsAtTheConditionOrFails() {
    scheduler.schedule(Duration.ofMillis(250), () -> ran.add("done"));
    scheduler.advanceUntil(() -> !ran.isEmpty(), Duration.ofSeconds(1));
    assertThat(scheduler.now()).isEqualTo(Instant.parse("2026-01-01T00:00:00.250Z"));
    assertThatThrownBy(() -> scheduler.advanceUntil(() -> false, Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class);
  }
}

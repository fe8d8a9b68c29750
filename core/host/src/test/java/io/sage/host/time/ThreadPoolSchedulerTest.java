package io.sage.host.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real scheduler: tasks run on daemon workers; a failing task does not stop the timer. */
class ThreadPoolSchedulerTest {

  @Test
  void runsScheduledRepeatedAndExecutedTasksOnWorkerThreads() throws Exception {
    try (ThreadPoolScheduler scheduler = new ThreadPoolScheduler(Clock.systemUTC())) {
      CompletableFuture<String> once = new CompletableFuture<>();
      scheduler.schedule(
          Duration.ofMillis(1), () -> once.complete(Thread.currentThread().getName()));
      CompletableFuture<Boolean> executed = new CompletableFuture<>();
      scheduler.execute(() -> executed.complete(Thread.currentThread().isDaemon()));
      CountDownLatch ticks = new CountDownLatch(3);
      scheduler.repeat(
          Duration.ofMillis(1),
          () -> {
            ticks.countDown();
            throw new IllegalStateException("a failing tick keeps ticking");
          });

      assertThat(once.get(10, TimeUnit.SECONDS)).startsWith("sage-engine-worker-");
      assertThat(executed.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(ticks.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aCancelledTimerNeverRuns() throws Exception {
    try (ThreadPoolScheduler scheduler = new ThreadPoolScheduler(Clock.systemUTC())) {
      CompletableFuture<Void> cancelled = new CompletableFuture<>();
      Scheduler.Timer timer =
          scheduler.schedule(Duration.ofMillis(20), () -> cancelled.complete(null));
      timer.cancel();
      // one timer thread runs tasks in time order: by the later task, the cancelled one was due
      CompletableFuture<Void> later = new CompletableFuture<>();
      scheduler.schedule(Duration.ofMillis(300), () -> later.complete(null));
      later.get(10, TimeUnit.SECONDS);
      assertThat(cancelled).isNotDone();
    }
  }

  @Test
  void afterCloseNothingRuns() {
    ThreadPoolScheduler scheduler = new ThreadPoolScheduler(Clock.systemUTC());
    scheduler.close();
    CompletableFuture<Void> after = new CompletableFuture<>();
    scheduler.execute(() -> after.complete(null));
    assertThat(after).isNotDone();
    assertThat(scheduler.workers().isShutdown()).isTrue();
  }
}

package io.sage.host.time;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** Waiting for a condition without holding a thread: checks it on the scheduler's timers. */
public final class Poll {
  private Poll() {}

  /**
   * Completes with true as soon as {@code condition} holds (checked now and every {@code every}),
   * or with false once {@code timeout} has passed without it.
   */
  public static CompletableFuture<Boolean> until(
      Scheduler scheduler, BooleanSupplier condition, Duration timeout, Duration every) {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    Instant deadline = scheduler.now().plus(timeout);
    check(scheduler, condition, deadline, every, done);
    return done;
  }

  private static void check(
      Scheduler scheduler,
      BooleanSupplier condition,
      Instant deadline,
      Duration every,
      CompletableFuture<Boolean> done) {
    try {
      if (condition.getAsBoolean()) {
        done.complete(true);
      } else if (!scheduler.now().isBefore(deadline)) {
        done.complete(false);
      } else {
        Duration left = Duration.between(scheduler.now(), deadline);
        Duration next = left.compareTo(every) < 0 ? left : every;
        scheduler.schedule(next, () -> check(scheduler, condition, deadline, every, done));
      }
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
  }
}

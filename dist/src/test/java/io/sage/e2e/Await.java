package io.sage.e2e;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for a state or an event with a deadline: the one place the end-to-end tests poll. A test
 * never sleeps a fixed time; it waits until what it needs is true, and fails with what it last saw
 * when the deadline passes first.
 */
final class Await {
  private static final long POLL_MILLIS = 20;

  private Await() {}

  /**
   * {@code probe}'s first value that satisfies {@code done}, asked every 20 ms until {@code
   * timeout}.
   */
  static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "waited " + timeout.toMillis() + " ms for " + what + "; last seen: " + last);
      }
      pause();
      last = probe.get();
    }
    return last;
  }

  /** Returns once {@code done} is true, or fails after {@code timeout}. */
  static void until(String what, Duration timeout, BooleanSupplier done) {
    until(what, timeout, done::getAsBoolean, Boolean::booleanValue);
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }
}

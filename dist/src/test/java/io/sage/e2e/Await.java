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

  /**
   * Checks {@code holds} every 20 ms for the whole of {@code window} and fails the first time it is
   * false: for rules that say something must not happen for a while (a timeout that must not fire).
   */
  static void during(String what, Duration window, BooleanSupplier holds) {
    long end = System.nanoTime() + window.toNanos();
    while (System.nanoTime() < end) {
      if (!holds.getAsBoolean()) {
        throw new AssertionError("stopped holding within " + window.toMillis() + " ms: " + what);
      }
      pause();
    }
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

package io.sage.engine.mock;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The injected faults of one mock engine process: failing health, hanging, exiting. Real faults (a
 * process that stops answering, a process that exits) so that the gateway's supervision is tested
 * against the same behaviour it meets in production.
 */
final class MockFaults {
  /** Exit status after {@code exit_after_requests}; distinct from a crash (1) or SIGTERM (143). */
  static final int EXIT_CODE = 3;

  private final long startNanos;

  /** {@code fail_health_after_s} in nanoseconds, or {@link Long#MAX_VALUE} when not set. */
  private final long failHealthAfterNanos;

  /** When {@code /health} first answered healthy; {@link #NOT_YET} before that. */
  private volatile long healthySinceNanos = NOT_YET;

  private static final long NOT_YET = Long.MIN_VALUE;
  private final long hangAtNanos;
  private final long readyAtNanos;
  private final OptionalInt exitAfterRequests;
  private final AtomicInteger served = new AtomicInteger();
  private final CountDownLatch never = new CountDownLatch(1);
  private final Exit exit;
  private final LongSupplier nanoTime;

  /** How the process ends itself; a seam so the exit path can be exercised without exiting. */
  interface Exit {
    void exit(int status);
  }

  MockFaults(MockOptions options, long startNanos, Exit exit) {
    this(options, startNanos, exit, System::nanoTime);
  }

  MockFaults(MockOptions options, long startNanos, Exit exit, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.startNanos = startNanos;
    this.failHealthAfterNanos =
        options.failHealthAfter().map(Duration::toNanos).orElse(Long.MAX_VALUE);
    this.hangAtNanos = offset(options.hangAfter());
    this.readyAtNanos = startNanos + options.startupDelay().toNanos();
    this.exitAfterRequests = options.exitAfterRequests();
    this.exit = exit;
  }

  private long offset(Optional<Duration> after) {
    return after.map(d -> startNanos + d.toNanos()).orElse(Long.MAX_VALUE);
  }

  /** Whether the engine is still loading ({@code startup_delay_s} not over): 503 everywhere. */
  boolean loading() {
    return nanoTime.getAsLong() - readyAtNanos < 0;
  }

  /**
   * Whether {@code /health} must answer 503 now: {@code fail_health_after_s} counts from the first
   * healthy answer, so whoever probes sees the engine healthy first however long the JVM took to
   * start ({@code 0}: never healthy).
   */
  synchronized boolean healthFailing() {
    if (failHealthAfterNanos == Long.MAX_VALUE) {
      return false;
    }
    if (failHealthAfterNanos == 0) {
      return true;
    }
    long now = nanoTime.getAsLong();
    if (healthySinceNanos == NOT_YET) {
      healthySinceNanos = now;
      return false;
    }
    return now - healthySinceNanos >= failHealthAfterNanos;
  }

  /** Blocks the calling thread for good once {@code hang_after_s} has passed. */
  void hangIfDue() {
    if (hangAtNanos == Long.MAX_VALUE || System.nanoTime() - hangAtNanos < 0) {
      return;
    }
    while (true) {
      try {
        never.await();
      } catch (InterruptedException e) {
        // A hung engine ignores everything, interrupts too; SIGTERM still ends the JVM.
      }
    }
  }

  /**
   * Counts one served generation or embedding request; exits the process with {@link #EXIT_CODE}
   * once {@code exit_after_requests} were served.
   */
  void requestServed(PrintStream err) {
    if (exitAfterRequests.isEmpty()) {
      return;
    }
    int limit = exitAfterRequests.getAsInt();
    if (served.incrementAndGet() == limit) {
      err.println("mock engine exiting after " + limit + " requests (exit_after_requests)");
      err.flush();
      exit.exit(EXIT_CODE);
    }
  }
}

package io.sage.host.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Time for the control plane: the clock it reads and the timers it sets. Every rule that waits
 * (probe intervals, startup timeouts, backoff, drain timeouts, the SIGKILL grace) goes through one
 * of these, so a test can advance time instead of sleeping ({@code ManualScheduler} in the tests).
 * Tasks run on worker threads; they may block briefly but never for long.
 */
public interface Scheduler {

  /** The clock every timestamp of the control plane comes from. */
  Clock clock();

  default Instant now() {
    return clock().instant();
  }

  /** Runs {@code task} once, {@code delay} from now. */
  Timer schedule(Duration delay, Runnable task);

  /** Runs {@code task} every {@code period}, the first time one period from now. */
  Timer repeat(Duration period, Runnable task);

  /** Runs {@code task} as soon as a worker is free. */
  void execute(Runnable task);

  /** A task set with {@link #schedule} or {@link #repeat}. */
  interface Timer {
    /** Stops the task from running (again); harmless when it already ran. */
    void cancel();
  }
}

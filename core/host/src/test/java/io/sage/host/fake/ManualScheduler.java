package io.sage.host.fake;

import io.sage.host.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * A {@link Scheduler} whose time moves only when a test advances it; due tasks then run on the
 * test's thread, in time order. Nothing sleeps, so supervision rules that span minutes are checked
 * in milliseconds.
 */
public final class ManualScheduler implements Scheduler {
  private static final int MAX_TASKS_PER_STEP = 100_000;

  private final ManualClock clock;
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long sequence;

  public ManualScheduler() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public ManualScheduler(Instant start) {
    this.clock = new ManualClock(start);
  }

  private final class Task implements Comparable<Task>, Timer {
    Instant due;
    long order;
    final Runnable work;
    final Duration period;
    volatile boolean cancelled;

    Task(Instant due, Runnable work, Duration period) {
      this.due = due;
      this.order = sequence++;
      this.work = work;
      this.period = period;
    }

    @Override
    public int compareTo(Task other) {
      int byTime = due.compareTo(other.due);
      return byTime != 0 ? byTime : Long.compare(order, other.order);
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public synchronized Timer schedule(Duration delay, Runnable task) {
    Task t = new Task(clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay), task, null);
    tasks.add(t);
    return t;
  }

  @Override
  public synchronized Timer repeat(Duration period, Runnable task) {
    Task t = new Task(clock.instant().plus(period), task, period);
    tasks.add(t);
    return t;
  }

  @Override
  public synchronized void execute(Runnable task) {
    tasks.add(new Task(clock.instant(), task, null));
  }

  /** Runs every task that is due now, including those the tasks themselves make due now. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** Moves time forward by {@code duration}, running every task that falls due on the way. */
  public void advance(Duration duration) {
    Instant target = clock.instant().plus(duration);
    int ran = 0;
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due.isAfter(target)) {
          break;
        }
        tasks.poll();
        clock.set(next.due);
        if (next.period != null && !next.cancelled) {
          // the same task again, so that cancelling the handle stops every later run
          next.due = next.due.plus(next.period);
          next.order = sequence++;
          tasks.add(next);
        }
      }
      if (!next.cancelled) {
        next.work.run();
      }
      if (++ran > MAX_TASKS_PER_STEP) {
        throw new IllegalStateException("tasks keep scheduling tasks: a busy loop?");
      }
    }
    clock.set(target);
  }

  /**
   * Advances in small steps until {@code condition} holds; fails when it does not within {@code
   * limit} of scheduler time.
   */
  public void advanceUntil(BooleanSupplier condition, Duration limit) {
    Instant end = clock.instant().plus(limit);
    runDue();
    while (!condition.getAsBoolean()) {
      if (!clock.instant().isBefore(end)) {
        throw new AssertionError("condition not reached within " + limit + " of scheduler time");
      }
      advance(Duration.ofMillis(10));
    }
  }

  /** Tasks waiting (repeating ones included). */
  public synchronized int pending() {
    return (int) tasks.stream().filter(t -> !t.cancelled).count();
  }
}

package io.sage.host.cluster;

import io.sage.host.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Scheduler} whose repeating tasks run on the workers rather than on the timer thread, one
 * run of each task at a time (a run still busy when the next is due skips it): the cluster's ticks
 * talk to the database and probe engines, and one slow tick must not delay the leader's renewal.
 */
public final class HandOffScheduler implements Scheduler {
  private final Scheduler inner;

  public HandOffScheduler(Scheduler inner) {
    this.inner = inner;
  }

  @Override
  public Clock clock() {
    return inner.clock();
  }

  @Override
  public Timer schedule(Duration delay, Runnable task) {
    return inner.schedule(delay, task);
  }

  @Override
  public Timer repeat(Duration period, Runnable task) {
    AtomicBoolean running = new AtomicBoolean();
    return inner.repeat(
        period,
        () -> {
          if (running.compareAndSet(false, true)) {
            inner.execute(
                () -> {
                  try {
                    task.run();
                  } finally {
                    running.set(false);
                  }
                });
          }
        });
  }

  @Override
  public void execute(Runnable task) {
    inner.execute(task);
  }
}

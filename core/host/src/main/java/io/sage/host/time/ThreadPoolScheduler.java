package io.sage.host.time;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link Scheduler}: one timer thread that only hands due tasks to a pool of daemon
 * workers, so one slow task never delays the timers of the others.
 */
public final class ThreadPoolScheduler implements Scheduler, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadPoolScheduler.class);

  private final Clock clock;
  private final ScheduledExecutorService timers;
  private final ExecutorService workers;

  public ThreadPoolScheduler(Clock clock) {
    this.clock = clock;
    this.timers = Executors.newScheduledThreadPool(1, daemon("sage-timer"));
    this.workers = Executors.newCachedThreadPool(daemon("sage-engine-worker"));
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public Timer schedule(Duration delay, Runnable task) {
    var future =
        timers.schedule(() -> execute(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  @Override
  public Timer repeat(Duration period, Runnable task) {
    long nanos = period.toNanos();
    // run on the timer thread itself: a repeating task is a cheap tick that hands work on
    var future =
        timers.scheduleWithFixedDelay(() -> guarded(task), nanos, nanos, TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  @Override
  public void execute(Runnable task) {
    if (!workers.isShutdown()) {
      workers.execute(() -> guarded(task));
    }
  }

  /** The workers as an {@link java.util.concurrent.Executor}, for the probes' HTTP client. */
  public ExecutorService workers() {
    return workers;
  }

  @Override
  public void close() {
    timers.shutdownNow();
    workers.shutdownNow();
  }

  private static void guarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.warn("control plane task failed", e);
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}

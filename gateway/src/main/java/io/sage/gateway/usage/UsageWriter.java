package io.sage.gateway.usage;

import io.micronaut.context.annotation.Context;
import io.sage.gateway.config.UsageConfig;
import io.sage.host.store.UsageStore;
import io.sage.host.usage.UsageRecord;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes usage rows off the request path: requests hand rows to a bounded queue (no lock held by a
 * writer, no database touched), and one thread commits what arrived every {@code
 * sage.usage.flush-interval}, in batches, rows and roll-ups together. A crash (kill -9) loses the
 * rows of at most the last interval. When the database fails, the rows stay queued and are retried
 * at the next interval; rows that find the queue full are dropped and counted, never blocking.
 */
@Context
public final class UsageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(UsageWriter.class);
  private static final int PRUNE_CHUNK = 10_000;

  private final UsageStore store;
  private final UsageConfig settings;
  private final Clock clock;
  private final BlockingQueue<UsageRecord> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;
  private List<UsageRecord> retry = List.of();
  private Instant nextPrune;

  UsageWriter(UsageStore store, UsageConfig settings, Clock clock) {
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    this.nextPrune = clock.instant().plusSeconds(30);
    this.thread = new Thread(this::run, "sage-usage-writer");
    thread.setDaemon(true);
    if (settings.enabled()) {
      thread.start();
    }
  }

  /** Queues a row; never blocks. False when the queue was full and the row was dropped. */
  public boolean offer(UsageRecord record) {
    if (queue.offer(record)) {
      return true;
    }
    if (dropped.incrementAndGet() % 1000 == 1) {
      LOG.warn(
          "usage queue full ({} rows): {} rows dropped so far; is the database slow?",
          settings.queueCapacity(),
          dropped.get());
    }
    return false;
  }

  /** Rows dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Rows committed so far. */
  public long written() {
    return written.get();
  }

  private void run() {
    long interval = settings.flushInterval().toNanos();
    while (running) {
      long next = System.nanoTime() + interval;
      flush();
      prune();
      long wait = next - System.nanoTime();
      if (wait > 0) {
        // parked, not slept: an interrupt during a write would make H2 close its file
        LockSupport.parkNanos(this, wait);
      }
    }
  }

  /** Commits everything queued now (in batches); returns false when the database refused. */
  synchronized boolean flush() {
    while (true) {
      List<UsageRecord> batch = retry;
      if (batch.isEmpty()) {
        batch = new ArrayList<>(Math.min(queue.size(), settings.batchSize()));
        queue.drainTo(batch, settings.batchSize());
        if (batch.isEmpty()) {
          return true;
        }
      }
      try {
        store.append(batch);
        written.addAndGet(batch.size());
        retry = List.of();
      } catch (RuntimeException e) {
        retry = batch;
        LOG.warn(
            "could not write {} usage rows (retrying in {}): {}",
            batch.size(),
            settings.flushInterval(),
            e.getMessage());
        return false;
      }
    }
  }

  private void prune() {
    Instant now = clock.instant();
    if (now.isBefore(nextPrune)) {
      return;
    }
    nextPrune = now.plus(settings.pruneInterval());
    Instant before = now.minus(settings.retention());
    try {
      int total = 0;
      int deleted;
      do {
        deleted = store.pruneRecords(before, PRUNE_CHUNK);
        total += deleted;
      } while (deleted >= PRUNE_CHUNK && running);
      if (total > 0) {
        LOG.info("pruned {} usage rows older than {}", total, before);
      }
    } catch (RuntimeException e) {
      LOG.warn("could not prune usage rows: {}", e.getMessage());
    }
  }

  /** Stops the thread and commits what is still queued (a clean stop loses nothing). */
  @PreDestroy
  void close() {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (settings.enabled() && !flush()) {
      LOG.warn("{} usage rows could not be written at shutdown", queue.size() + retry.size());
    }
  }
}

package io.sage.gateway.session;

import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Hands out message seqs per session in arrival order. A chat request reserves, when it arrives,
 * one seq per user turn it brings plus one for the reply, so a conversation reads request, reply,
 * request, reply in the order the requests arrived, however their replies finish. A reply that
 * never comes leaves a gap. The counter starts after the highest stored seq, read once per session
 * per gateway process.
 */
@Singleton
final class SessionSequencer {
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

  /** Reserves {@code count} consecutive seqs and returns the first. */
  long reserve(String sessionId, int count, LongSupplier storedMax) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be positive: " + count);
    }
    Counter counter = counters.computeIfAbsent(sessionId, id -> new Counter());
    synchronized (counter) {
      if (counter.next == 0) {
        counter.next = storedMax.getAsLong() + 1;
      }
      long first = counter.next;
      counter.next += count;
      return first;
    }
  }

  /** Drops a deleted session's counter. */
  void forget(String sessionId) {
    counters.remove(sessionId);
  }

  private static final class Counter {
    private long next;
  }
}

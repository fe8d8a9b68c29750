package io.sage.engine.mock;

import java.io.IOException;
import java.io.InterruptedIOException;

/** Sleeps for the configured latency and token pacing; an interrupt aborts the exchange. */
final class Pacing {
  private Pacing() {}

  /** Sleeps until {@code System.nanoTime()} reaches {@code deadlineNanos}. */
  static void sleepUntil(long deadlineNanos) throws IOException {
    long remaining;
    while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
      try {
        Thread.sleep(remaining / 1_000_000, (int) (remaining % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("mock engine shutting down");
      }
    }
  }

  /**
   * Nanoseconds that {@code tokens} tokens take at {@code tokensPerSecond}; 0 when unpaced. Capped
   * far below overflow, since a tiny rate times many tokens would wrap around.
   */
  static long tokensTime(long tokens, double tokensPerSecond) {
    return tokensPerSecond <= 0 ? 0 : (long) Math.min(4e18, tokens * 1e9 / tokensPerSecond);
  }
}

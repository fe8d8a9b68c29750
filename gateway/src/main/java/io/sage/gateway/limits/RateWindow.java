package io.sage.gateway.limits;

/**
 * One key's requests and tokens over the last 60 seconds, in one-second buckets: a sliding window
 * exact to the second, with a fixed size (three arrays of 60 longs) whatever the rate.
 */
final class RateWindow {
  static final int SECONDS = 60;
  private final long[] second = new long[SECONDS];
  private final long[] requests = new long[SECONDS];
  private final long[] tokens = new long[SECONDS];

  /** What one admission decided, and the numbers for the rate-limit headers. */
  record Decision(
      boolean allowed,
      boolean requestsExceeded,
      long remainingRequests,
      long resetRequestsSeconds,
      long remainingTokens,
      long resetTokensSeconds) {

    long retryAfterSeconds() {
      return Math.max(1, requestsExceeded ? resetRequestsSeconds : Math.max(1, resetTokensSeconds));
    }
  }

  /**
   * Admits one request of an estimated {@code estimate} tokens at {@code now} (epoch seconds) when
   * it fits under {@code rpm} and {@code tpm} (null: no such limit), and counts it if so. A request
   * whose estimate alone exceeds the token limit is let in when the window is empty, so that it is
   * not refused for ever.
   */
  synchronized Decision admit(long now, Integer rpm, Long tpm, long estimate) {
    long usedRequests = 0;
    long usedTokens = 0;
    for (int i = 0; i < SECONDS; i++) {
      if (second[i] > now - SECONDS) {
        usedRequests += requests[i];
        usedTokens += tokens[i];
      }
    }
    boolean requestsOver = rpm != null && usedRequests + 1 > rpm;
    boolean tokensOver = tpm != null && usedTokens > 0 && usedTokens + estimate > tpm;
    if (requestsOver || tokensOver) {
      return new Decision(
          false,
          requestsOver,
          rpm == null ? 0 : Math.max(0, rpm - usedRequests),
          rpm == null ? 0 : secondsUntilFreed(now, requests, usedRequests + 1 - rpm),
          tpm == null ? 0 : Math.max(0, tpm - usedTokens),
          tpm == null ? 0 : secondsUntilFreed(now, tokens, usedTokens + estimate - tpm));
    }
    int i = bucket(now);
    requests[i]++;
    tokens[i] += estimate;
    usedRequests++;
    usedTokens += estimate;
    return new Decision(
        true,
        false,
        rpm == null ? 0 : Math.max(0, rpm - usedRequests),
        secondsUntilFreed(now, requests, 1),
        tpm == null ? 0 : Math.max(0, tpm - usedTokens),
        secondsUntilFreed(now, tokens, 1));
  }

  /**
   * Corrects the tokens counted for a request admitted at {@code admitted} by {@code delta} (the
   * real usage minus the estimate); once that second left the window, only an increase counts.
   */
  synchronized void adjust(long admitted, long delta, long now) {
    int i = (int) Math.floorMod(admitted, SECONDS);
    if (admitted > now - SECONDS && second[i] == admitted) {
      tokens[i] = Math.max(0, tokens[i] + delta);
    } else if (delta > 0) {
      tokens[bucket(now)] += delta;
    }
  }

  private int bucket(long now) {
    int i = (int) Math.floorMod(now, SECONDS);
    if (second[i] != now) {
      second[i] = now;
      requests[i] = 0;
      tokens[i] = 0;
    }
    return i;
  }

  /** Seconds until {@code amount} of {@code counts} has left the window (at least 1). */
  private long secondsUntilFreed(long now, long[] counts, long amount) {
    long freed = 0;
    for (long s = now - SECONDS + 1; s <= now; s++) {
      int i = (int) Math.floorMod(s, SECONDS);
      if (second[i] == s) {
        freed += counts[i];
        if (freed >= amount) {
          return Math.max(1, s + SECONDS - now);
        }
      }
    }
    return 1;
  }
}

package io.sage.host.supervision;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Decides whether and when an engine in ERROR is restarted: exponential backoff with jitter, and at
 * most {@code maxRestarts} within a sliding window. One instance per engine; thread-safe.
 */
public final class RestartPolicy {
  private final SupervisionConfig config;
  private final DoubleSupplier random;
  private final Deque<Instant> recent = new ArrayDeque<>();

  public RestartPolicy(SupervisionConfig config) {
    this(config, () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * @param random uniform in [0, 1): where within the ×0.8–1.2 jitter a delay falls
   */
  public RestartPolicy(SupervisionConfig config, DoubleSupplier random) {
    this(config, random, List.of());
  }

  /**
   * @param history the restarts of the window as the registry kept them (oldest first), so a
   *     gateway restart does not refill the budget
   */
  public RestartPolicy(SupervisionConfig config, DoubleSupplier random, List<Instant> history) {
    this.config = config;
    this.random = random;
    recent.addAll(history);
  }

  /**
   * The delay before the next restart, recording it, or empty when the budget within the window is
   * spent.
   */
  public synchronized Optional<Duration> next(Instant now) {
    Instant horizon = now.minus(config.restartWindow());
    while (!recent.isEmpty() && recent.peekFirst().isBefore(horizon)) {
      recent.pollFirst();
    }
    if (recent.size() >= config.maxRestarts()) {
      return Optional.empty();
    }
    long base = config.restartBackoffInitial().toMillis() << Math.min(recent.size(), 20);
    long capped = Math.min(base, config.restartBackoffMax().toMillis());
    double jitter = 0.8 + random.getAsDouble() * 0.4;
    recent.addLast(now);
    return Optional.of(Duration.ofMillis(Math.max(1, (long) (capped * jitter))));
  }

  /** Restarts recorded within the current window. */
  public synchronized int recentRestarts() {
    return recent.size();
  }

  /** The restarts within the window, oldest first, for the registry to keep. */
  public synchronized List<Instant> history() {
    return List.copyOf(recent);
  }

  /** Forgets the history, after a manual restart or stop. */
  public synchronized void reset() {
    recent.clear();
  }
}

package io.sage.client;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * How often and how long the client waits before repeating a request that could not connect or was
 * answered 503.
 *
 * @param maxRetries repeats per gateway URL after the first try (and full passes over all URLs when
 *     none of them accepts a connection)
 * @param initialBackoff wait before the first repeat when the gateway gave no {@code Retry-After};
 *     doubles with every repeat
 * @param maxWait cap on any single wait, {@code Retry-After} included, so a gateway cannot park the
 *     caller for minutes
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxWait) {

  public static final RetryPolicy DEFAULT =
      new RetryPolicy(2, Duration.ofMillis(250), Duration.ofSeconds(10));

  public RetryPolicy {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxWait, "maxWait");
    if (initialBackoff.isNegative() || maxWait.isNegative()) {
      throw new IllegalArgumentException("retry waits must not be negative");
    }
  }

  /**
   * The wait before repeat number {@code attempt} (0-based): the gateway's {@code Retry-After}
   * (seconds or an HTTP date) when present, else exponential backoff; never above {@link #maxWait}.
   */
  public Duration waitBefore(int attempt, Optional<String> retryAfter) {
    Duration wait =
        retryAfter.flatMap(RetryPolicy::parseRetryAfter).orElseGet(() -> backoff(attempt));
    return wait.compareTo(maxWait) > 0 ? maxWait : wait;
  }

  /**
   * Exponential backoff for repeat number {@code attempt} (0-based), capped at {@link #maxWait}.
   */
  public Duration backoff(int attempt) {
    Duration wait = initialBackoff.multipliedBy(1L << Math.min(attempt, 20));
    return wait.compareTo(maxWait) > 0 ? maxWait : wait;
  }

  static Optional<Duration> parseRetryAfter(String value) {
    String trimmed = value.trim();
    try {
      long seconds = Long.parseLong(trimmed);
      return Optional.of(Duration.ofSeconds(Math.max(0, seconds)));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration until = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return Optional.of(until.isNegative() ? Duration.ZERO : until);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }
}

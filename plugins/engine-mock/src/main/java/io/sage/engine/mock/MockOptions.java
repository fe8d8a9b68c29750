package io.sage.engine.mock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * The mock runtime's options, parsed from the engine's string map. Used both by the factory
 * (validation, in the gateway) and by {@link MockEngineMain} (in the child process), so it uses
 * only the JDK.
 *
 * @param latency delay before the first byte of a generation or embedding response
 * @param tokensPerSecond stream pacing; 0 means as fast as possible
 * @param embeddingDim length of every embedding vector
 * @param failHealthAfter from this long after its first healthy answer, {@code /health} answers 503
 *     ({@code 0}: from the start)
 * @param exitAfterRequests the process exits with code 3 after serving this many requests
 * @param hangAfter from this long after start, nothing is answered any more
 * @param logRequests print one line per request to stdout
 * @param startupDelay for this long after start the engine is loading: {@code /health} and the
 *     {@code /v1} routes answer 503, as a real engine does while it loads its weights
 */
record MockOptions(
    Duration latency,
    double tokensPerSecond,
    int embeddingDim,
    Optional<Duration> failHealthAfter,
    OptionalInt exitAfterRequests,
    Optional<Duration> hangAfter,
    boolean logRequests,
    Duration startupDelay) {

  static final String LATENCY_MS = "latency_ms";
  static final String TOKENS_PER_SECOND = "tokens_per_second";
  static final String EMBEDDING_DIM = "embedding_dim";
  static final String FAIL_HEALTH_AFTER_S = "fail_health_after_s";
  static final String EXIT_AFTER_REQUESTS = "exit_after_requests";
  static final String HANG_AFTER_S = "hang_after_s";
  static final String LOG_REQUESTS = "log_requests";
  static final String STARTUP_DELAY_S = "startup_delay_s";

  /** Every option name the mock runtime knows. */
  static final Set<String> NAMES =
      Set.of(
          LATENCY_MS,
          TOKENS_PER_SECOND,
          EMBEDDING_DIM,
          FAIL_HEALTH_AFTER_S,
          EXIT_AFTER_REQUESTS,
          HANG_AFTER_S,
          LOG_REQUESTS,
          STARTUP_DELAY_S);

  static final int MAX_EMBEDDING_DIM = 8192;

  MockOptions {
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative");
    }
    if (!(tokensPerSecond >= 0) || Double.isInfinite(tokensPerSecond)) {
      throw new IllegalArgumentException("tokensPerSecond must be a finite number >= 0");
    }
    if (startupDelay.isNegative()) {
      throw new IllegalArgumentException("startupDelay must not be negative");
    }
    if (embeddingDim < 1 || embeddingDim > MAX_EMBEDDING_DIM) {
      throw new IllegalArgumentException("embeddingDim must be within 1.." + MAX_EMBEDDING_DIM);
    }
  }

  /** The outcome of parsing: the options, or every problem found. */
  record Parsed(Optional<MockOptions> options, List<String> problems) {
    Parsed {
      problems = List.copyOf(problems);
    }
  }

  /** Parses the option map, collecting every problem instead of stopping at the first. */
  static Parsed parse(Map<String, String> raw) {
    List<String> problems = new ArrayList<>();
    for (String name : new TreeSet<>(raw.keySet())) {
      if (!NAMES.contains(name)) {
        problems.add(
            "option '"
                + name
                + "' is unknown to the mock runtime; known options: "
                + new TreeSet<>(NAMES));
      }
    }
    Values values = new Values(raw, problems);
    long latencyMs = values.integer(LATENCY_MS, 0, Integer.MAX_VALUE).orElse(0);
    double tokensPerSecond = values.number(TOKENS_PER_SECOND).orElse(0.0);
    int embeddingDim = values.integer(EMBEDDING_DIM, 1, MAX_EMBEDDING_DIM).orElse(384);
    Optional<Duration> failHealthAfter = values.number(FAIL_HEALTH_AFTER_S).map(Values::seconds);
    OptionalInt exitAfter = values.integer(EXIT_AFTER_REQUESTS, 1, Integer.MAX_VALUE);
    Optional<Duration> hangAfter = values.number(HANG_AFTER_S).map(Values::seconds);
    boolean logRequests = values.bool(LOG_REQUESTS);
    Duration startupDelay =
        values.number(STARTUP_DELAY_S).map(Values::seconds).orElse(Duration.ZERO);
    if (!problems.isEmpty()) {
      return new Parsed(Optional.empty(), problems);
    }
    return new Parsed(
        Optional.of(
            new MockOptions(
                Duration.ofMillis(latencyMs),
                tokensPerSecond,
                embeddingDim,
                failHealthAfter,
                exitAfter,
                hangAfter,
                logRequests,
                startupDelay)),
        List.of());
  }

  /** Reads typed values from the raw map, adding a sentence to {@code problems} per bad value. */
  private record Values(Map<String, String> raw, List<String> problems) {

    OptionalInt integer(String name, int min, int max) {
      String value = raw.get(name);
      if (value == null) {
        return OptionalInt.empty();
      }
      try {
        double parsed = Double.parseDouble(value.trim());
        if (parsed == Math.rint(parsed) && parsed >= min && parsed <= max) {
          return OptionalInt.of((int) parsed);
        }
      } catch (NumberFormatException e) {
        // reported below, with the accepted range
      }
      String range = max == Integer.MAX_VALUE ? ">= " + min : "within " + min + ".." + max;
      problems.add("option '" + name + "' must be an integer " + range + ", got '" + value + "'");
      return OptionalInt.empty();
    }

    Optional<Double> number(String name) {
      String value = raw.get(name);
      if (value == null) {
        return Optional.empty();
      }
      try {
        double parsed = Double.parseDouble(value.trim());
        if (parsed >= 0 && !Double.isInfinite(parsed)) {
          return Optional.of(parsed);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      problems.add("option '" + name + "' must be a number >= 0, got '" + value + "'");
      return Optional.empty();
    }

    boolean bool(String name) {
      String value = raw.get(name);
      if (value == null) {
        return false;
      }
      String trimmed = value.trim();
      if (trimmed.equalsIgnoreCase("true") || trimmed.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(trimmed);
      }
      problems.add("option '" + name + "' must be true or false, got '" + value + "'");
      return false;
    }

    static Duration seconds(double seconds) {
      return Duration.ofNanos(Math.round(seconds * 1_000_000_000d));
    }
  }
}

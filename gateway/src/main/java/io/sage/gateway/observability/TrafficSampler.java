package io.sage.gateway.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The last minutes of inference traffic for the console's overview, read from the gateway's own
 * request meters every {@link #EVERY}: requests and errors per second and the mean time to first
 * byte of streams in each interval. Only the totals are kept, {@link #KEPT} intervals of them.
 */
@Context
@Requires(property = MetricsFactory.ENABLED, notEquals = "false")
final class TrafficSampler {
  static final Duration EVERY = Duration.ofSeconds(5);
  static final int KEPT = 72;

  /**
   * One interval.
   *
   * @param firstByteMs mean time to first byte of the streams that began in it; null when none
   */
  record Sample(
      Instant at,
      double requestsPerSecond,
      double serverErrorsPerSecond,
      double clientErrorsPerSecond,
      Double firstByteMs) {}

  /** Running totals, read from the meters. */
  record Totals(
      double requests, double serverErrors, double clientErrors, long streams, double ms) {
    static final Totals ZERO = new Totals(0, 0, 0, 0, 0);
  }

  private final MeterRegistry registry;
  private final Clock clock;
  private final Deque<Sample> samples = new ArrayDeque<>();
  private final ScheduledFuture<?> task;
  private Totals last = Totals.ZERO;
  private Instant lastAt;

  TrafficSampler(
      MeterRegistry registry,
      Clock clock,
      @Named(TaskExecutors.SCHEDULED) TaskScheduler scheduler) {
    this.registry = registry;
    this.clock = clock;
    this.last = totals();
    this.lastAt = clock.instant();
    this.task = scheduler.scheduleAtFixedRate(EVERY, EVERY, this::sample);
  }

  Totals totals() {
    double requests = 0;
    double serverErrors = 0;
    double clientErrors = 0;
    for (Counter counter : registry.find("sage.requests").counters()) {
      double n = counter.count();
      requests += n;
      String status = counter.getId().getTag("status");
      if ("5xx".equals(status)) {
        serverErrors += n;
      } else if ("4xx".equals(status)) {
        clientErrors += n;
      }
    }
    long streams = 0;
    double ms = 0;
    for (Timer timer : registry.find("sage.request.first.byte").timers()) {
      streams += timer.count();
      ms += timer.totalTime(TimeUnit.MILLISECONDS);
    }
    return new Totals(requests, serverErrors, clientErrors, streams, ms);
  }

  synchronized void sample() {
    Totals now = totals();
    Instant at = clock.instant();
    double seconds = Math.max(0.001, Duration.between(lastAt, at).toMillis() / 1000.0);
    long streams = now.streams() - last.streams();
    samples.addLast(
        new Sample(
            at,
            Math.max(0, now.requests() - last.requests()) / seconds,
            Math.max(0, now.serverErrors() - last.serverErrors()) / seconds,
            Math.max(0, now.clientErrors() - last.clientErrors()) / seconds,
            streams > 0 ? (now.ms() - last.ms()) / streams : null));
    if (samples.size() > KEPT) {
      samples.removeFirst();
    }
    last = now;
    lastAt = at;
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  @PreDestroy
  void close() {
    task.cancel(false);
  }
}

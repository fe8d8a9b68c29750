package io.sage.gateway.openai;

import io.sage.gateway.config.LimitsConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Ends a relayed body that makes no progress for {@code sage.limits.stall-timeout} once it has
 * begun: a client that stops reading (so nothing more can be written) or an engine that stops
 * sending gives its in-flight slot back instead of holding it for the idle timeouts. The wait for
 * the first chunk is not limited here (a long prompt can take minutes).
 *
 * <p>One thread looks at every open body every tick (a quarter of the timeout, at most a second)
 * instead of a timer per chunk: a timer per chunk cost a scheduled task, its cancel and a thread
 * wake-up on every chunk of every response, about 7 % of the gateway's CPU at 64 connections
 * (docs/decisions.md, decision 77). A body is cut between the timeout and the timeout plus one tick
 * after its last chunk. A chunk arriving in the nanoseconds between the sweep's look at a body
 * silent for the whole timeout and its cut does not save it, as a timer firing at that moment would
 * not have either.
 */
@Singleton
public final class StallWatch {
  private static final long MAX_TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long NOT_STARTED = Long.MIN_VALUE;

  private final Duration stall;
  private final long stallNanos;
  private final LongSupplier nanos;
  private final Set<Watched> open = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker;

  @Inject
  StallWatch(LimitsConfig limits) {
    this(limits.stallTimeout(), System::nanoTime, true);
  }

  /**
   * @param nanos the clock
   * @param tick whether a thread sweeps on its own; the tests call {@link #sweep} themselves
   */
  StallWatch(Duration stall, LongSupplier nanos, boolean tick) {
    this.stall = stall;
    this.stallNanos = stall.toNanos();
    this.nanos = nanos;
    if (tick) {
      long every = Math.max(MIN_TICK_NANOS, Math.min(MAX_TICK_NANOS, stallNanos / 4));
      this.ticker =
          Executors.newSingleThreadScheduledExecutor(
              task -> {
                Thread thread = new Thread(task, "sage-stall-watch");
                thread.setDaemon(true);
                return thread;
              });
      ticker.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.NANOSECONDS);
    } else {
      this.ticker = null;
    }
  }

  /** How long a begun body may make no progress. */
  Duration stall() {
    return stall;
  }

  /** {@code body}, ended with a {@link TimeoutException} when it stalls after its first item. */
  <T> Flux<T> guard(Flux<T> body) {
    return Flux.defer(
        () -> {
          Watched watched = new Watched();
          open.add(watched);
          return body.doOnNext(item -> watched.last = nanos.getAsLong())
              .timeout(
                  Mono.never(),
                  item -> watched.stalled,
                  Flux.error(
                      () ->
                          new TimeoutException(
                              "no progress for "
                                  + stall.toSeconds()
                                  + " s (sage.limits.stall-timeout)")))
              .doFinally(signal -> open.remove(watched));
        });
  }

  /** Ends every begun body whose last item is at least the timeout old. */
  void sweep() {
    long now = nanos.getAsLong();
    for (Watched watched : open) {
      long last = watched.last;
      if (last != NOT_STARTED && now - last >= stallNanos) {
        open.remove(watched);
        watched.sink.tryEmitEmpty();
      }
    }
  }

  /** Bodies being relayed now (for the tests). */
  int open() {
    return open.size();
  }

  @PreDestroy
  void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
  }

  private static final class Watched {
    private final Sinks.Empty<Void> sink = Sinks.empty();
    private final Mono<Void> stalled = sink.asMono();
    private volatile long last = NOT_STARTED;
  }
}

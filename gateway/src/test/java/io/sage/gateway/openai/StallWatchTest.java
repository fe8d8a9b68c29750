package io.sage.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

class StallWatchTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final StallWatch watch = new StallWatch(Duration.ofSeconds(10), now::get, false);
  private final Sinks.Many<String> engine = Sinks.many().unicast().onBackpressureBuffer();
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final AtomicReference<Throwable> failed = new AtomicReference<>();
  private final AtomicReference<Boolean> completed = new AtomicReference<>(false);

  private void subscribe() {
    watch.guard(engine.asFlux()).subscribe(received::add, failed::set, () -> completed.set(true));
  }

  private void advance(long seconds) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    watch.sweep();
  }

  @Test
  void aBodyThatStopsAfterItsFirstChunkEndsWithATimeoutAfterTheStall() {
    subscribe();
    engine.tryEmitNext("a");
    advance(9);
    assertThat(failed.get()).isNull();
    engine.tryEmitNext("b");
    advance(9);
    assertThat(failed.get()).as("progress restarts the wait").isNull();
    advance(1);
    assertThat(failed.get())
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("no progress for 10 s");
    assertThat(received).containsExactly("a", "b");
    assertThat(watch.open()).isZero();
    // the engine's side was cancelled: later chunks go nowhere
    assertThat(engine.currentSubscriberCount()).isZero();
  }

  @Test
  void theWaitForTheFirstChunkIsNotLimited() {
    subscribe();
    advance(3_600);
    assertThat(failed.get()).isNull();
    engine.tryEmitNext("late");
    engine.tryEmitComplete();
    assertThat(received).containsExactly("late");
    assertThat(completed.get()).isTrue();
  }

  @Test
  void aFinishedOrCancelledBodyIsNoLongerWatched() {
    subscribe();
    engine.tryEmitNext("a");
    assertThat(watch.open()).isOne();
    engine.tryEmitComplete();
    assertThat(completed.get()).isTrue();
    assertThat(watch.open()).isZero();

    var cancelled = watch.guard(Flux.<String>never()).subscribe();
    assertThat(watch.open()).isOne();
    cancelled.dispose();
    assertThat(watch.open()).isZero();
    advance(60);
    assertThat(failed.get()).isNull();
  }

  @Test
  void theTickingWatchEndsAStalledBodyOnItsOwn() {
    StallWatch ticking = new StallWatch(Duration.ofMillis(100), System::nanoTime, true);
    try {
      Throwable error =
          ticking
              .guard(Flux.concat(Flux.just("a"), Flux.<String>never()))
              .then()
              .onErrorResume(e -> reactor.core.publisher.Mono.error(e))
              .materialize()
              .block(Duration.ofSeconds(10))
              .getThrowable();
      assertThat(error).isInstanceOf(TimeoutException.class);
    } finally {
      ticking.close();
    }
  }
}

package io.sage.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.http.MutableHttpResponse;
import io.sage.gateway.config.FairShareConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fair queue with a fake engine count: round-robin across keys, weights, deadline. */
class FairQueueTest {
  private final List<FairQueue> queues = new ArrayList<>();

  private FairQueue queue(int engines, Duration timeout, Map<String, Integer> weights) {
    FairQueue queue =
        new FairQueue(
            new FairShareConfig(1, timeout, 100),
            model -> engines,
            key -> weights.getOrDefault(key, 1),
            null);
    queues.add(queue);
    return queue;
  }

  @AfterEach
  void close() {
    queues.forEach(FairQueue::close);
  }

  /** One queued request: its slot attributes and the future the proxy would wait on. */
  record Request(
      String key,
      Map<String, Object> slot,
      CompletableFuture<Optional<MutableHttpResponse<?>>> go) {}

  private static Request enter(FairQueue queue, String key) {
    Map<String, Object> slot = new ConcurrentHashMap<>();
    return new Request(key, slot, queue.enter("m", key, slot));
  }

  /** Releases the running request and returns the one let in next. */
  private static Request next(FairQueue queue, Request running, List<Request> waiting)
      throws Exception {
    queue.release(running.slot());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (Request r : waiting) {
        if (r.go().isDone()) {
          waiting.remove(r);
          assertThat(r.go().get()).isEmpty();
          return r;
        }
      }
      Thread.sleep(1);
    }
    throw new AssertionError("nobody was let in");
  }

  @Test
  void keysTakeTurnsWhateverHowManyEachQueued() throws Exception {
    FairQueue queue = queue(1, Duration.ofSeconds(30), Map.of());
    Request running = enter(queue, "a");
    assertThat(running.go()).isCompletedWithValue(Optional.empty());
    List<Request> waiting = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      waiting.add(enter(queue, "a"));
    }
    waiting.add(enter(queue, "b"));
    waiting.add(enter(queue, "b"));
    assertThat(queue.waiting("m")).isEqualTo(8);
    StringBuilder order = new StringBuilder();
    while (!waiting.isEmpty()) {
      running = next(queue, running, waiting);
      order.append(running.key());
    }
    assertThat(order.toString()).isEqualTo("ababaaaa");
    queue.release(running.slot());
    assertThat(queue.waiting("m")).isZero();
  }

  @Test
  void aWeightGivesAKeyThatManyTurnsPerRound() throws Exception {
    FairQueue queue = queue(1, Duration.ofSeconds(30), Map.of("b", 3));
    Request running = enter(queue, "a");
    List<Request> waiting = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      waiting.add(enter(queue, "a"));
    }
    for (int i = 0; i < 6; i++) {
      waiting.add(enter(queue, "b"));
    }
    StringBuilder order = new StringBuilder();
    while (!waiting.isEmpty()) {
      running = next(queue, running, waiting);
      order.append(running.key());
    }
    assertThat(order.toString()).isEqualTo("abbbabbbaa");
  }

  @Test
  void aRequestWaitingPastTheDeadlineIsAnswered503() throws Exception {
    FairQueue queue = queue(1, Duration.ofMillis(50), Map.of());
    Request running = enter(queue, "a");
    Request late = enter(queue, "b");
    Optional<MutableHttpResponse<?>> answer = late.go().get(60, TimeUnit.SECONDS);
    assertThat(answer).isPresent();
    assertThat(answer.get().code()).isEqualTo(503);
    assertThat(answer.get().getHeaders().get("Retry-After")).isEqualTo("1");
    assertThat(queue.waiting("m")).isZero();
    queue.release(running.slot());
    assertThat(enter(queue, "c").go()).isCompletedWithValue(Optional.empty());
  }

  @Test
  void withoutReadyEnginesNothingWaits() {
    FairQueue queue = queue(0, Duration.ofSeconds(30), Map.of());
    assertThat(enter(queue, "a").go()).isCompletedWithValue(Optional.empty());
    assertThat(enter(queue, "a").go()).isCompletedWithValue(Optional.empty());
    assertThat(queue.waiting("m")).isZero();
  }
}

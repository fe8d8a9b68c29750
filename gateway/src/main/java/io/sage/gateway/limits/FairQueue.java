package io.sage.gateway.limits;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.http.MutableHttpResponse;
import io.sage.gateway.config.FairShareConfig;
import io.sage.gateway.errors.OpenAiError;
import io.sage.gateway.openai.ProxyCall;
import io.sage.gateway.openai.ProxyGate;
import io.sage.gateway.openai.ProxyListener;
import io.sage.gateway.openai.ProxyOutcome;
import io.sage.gateway.security.Actors;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * Fair sharing of a saturated model: the gateway sends each READY engine at most {@code
 * sage.fair-share.engine-concurrency} requests; past that, requests wait in one queue per key and
 * are let through round-robin across keys ({@code weight} turns per round for a key with a weight),
 * so one key sending a hundred requests cannot starve another sending one. A request waits at most
 * {@code queue-timeout} (then 503). Off (engine concurrency 0): every request passes at once.
 */
@Singleton
public final class FairQueue implements ProxyListener {
  private static final String SLOT = "sage.fair.slot";

  private final FairShareConfig settings;
  private final ReadyEngines engines;
  private final ToIntFunction<String> weights;
  private final Map<String, ModelQueue> queues = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  private final MeterRegistry meters;

  @Inject
  FairQueue(
      FairShareConfig settings,
      ReadyEngines engines,
      KeyLimitBook book,
      Optional<MeterRegistry> meters) {
    this(settings, engines, book::weight, meters.orElse(null));
  }

  FairQueue(
      FairShareConfig settings,
      ReadyEngines engines,
      ToIntFunction<String> weights,
      MeterRegistry meters) {
    this.settings = settings;
    this.engines = engines;
    this.weights = weights;
    this.meters = meters;
    if (settings.engineConcurrency() > 0) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "sage-fair-queue");
                t.setDaemon(true);
                return t;
              });
      // engines that become READY let waiting requests in without waiting for a release
      timer.scheduleWithFixedDelay(this::dispatchAll, 250, 250, TimeUnit.MILLISECONDS);
    } else {
      timer = null;
    }
  }

  /** Completes with empty when the request may be routed (it then holds a slot until its end). */
  public CompletableFuture<Optional<MutableHttpResponse<?>>> enter(ProxyCall call) {
    if (timer == null) {
      return ProxyGate.PASS;
    }
    return enter(call.model(), Actors.of(call.request()), call.attributes());
  }

  /** {@link #enter(ProxyCall)} for a request of {@code key} keeping its state in {@code slot}. */
  CompletableFuture<Optional<MutableHttpResponse<?>>> enter(
      String model, String key, Map<String, Object> slot) {
    int capacity = capacity(model);
    if (capacity == 0) {
      return ProxyGate.PASS; // nothing READY: the proxy answers that itself
    }
    ModelQueue queue = queues.computeIfAbsent(model, this::newQueue);
    Waiter waiter;
    synchronized (queue) {
      if (queue.waiting == 0 && queue.inFlight < capacity) {
        queue.inFlight++;
        slot.put(SLOT, queue);
        return ProxyGate.PASS;
      }
      if (queue.waiting >= settings.maxQueued()) {
        return CompletableFuture.completedFuture(
            Optional.of(
                OpenAiError.response(
                        429,
                        "model '" + model + "' has " + queue.waiting + " requests waiting already",
                        "rate_limit_error",
                        "queue_full")
                    .header("Retry-After", "1")));
      }
      waiter = new Waiter(slot, key);
      queue.add(waiter);
    }
    waiter.timeout =
        timer.schedule(
            () -> expire(queue, waiter), settings.queueTimeout().toMillis(), TimeUnit.MILLISECONDS);
    return waiter.future;
  }

  /** Requests of {@code model} waiting now. */
  public int waiting(String model) {
    ModelQueue queue = queues.get(model);
    if (queue == null) {
      return 0;
    }
    synchronized (queue) {
      return queue.waiting;
    }
  }

  /** Models with a queue, for the metrics gauge. */
  public Iterable<String> models() {
    return queues.keySet();
  }

  @Override
  public void onEnd(ProxyCall call, ProxyOutcome outcome) {
    release(call.attributes());
  }

  /** Gives back the slot the request holds, if any, and lets the next one in. */
  void release(Map<String, Object> slot) {
    Object held = slot.remove(SLOT);
    if (held instanceof ModelQueue queue) {
      synchronized (queue) {
        queue.inFlight--;
      }
      dispatch(queue);
    }
  }

  private ModelQueue newQueue(String model) {
    ModelQueue queue = new ModelQueue(model);
    if (meters != null) {
      // models with a READY engine only: the label set is bounded by the engines
      Gauge.builder("sage.queue.waiting", this, q -> q.waiting(model))
          .description("Requests waiting for a saturated model's engines (fair sharing)")
          .tags("model", model)
          .register(meters);
    }
    return queue;
  }

  private int capacity(String model) {
    return engines.ready(model) * settings.engineConcurrency();
  }

  private void dispatchAll() {
    for (ModelQueue queue : queues.values()) {
      dispatch(queue);
    }
  }

  /** Lets waiting requests in while there is room; with nothing READY, lets them all through. */
  private void dispatch(ModelQueue queue) {
    List<Waiter> go = new ArrayList<>();
    int capacity = capacity(queue.model);
    synchronized (queue) {
      Waiter next;
      while ((capacity == 0 || queue.inFlight < capacity) && (next = queue.next()) != null) {
        if (capacity > 0) {
          queue.inFlight++;
          next.slot.put(SLOT, queue);
        }
        go.add(next);
      }
    }
    for (Waiter waiter : go) {
      if (waiter.timeout != null) {
        waiter.timeout.cancel(false);
      }
      // on the queue's thread, not inside the response that freed the slot
      timer.execute(() -> waiter.future.complete(Optional.empty()));
    }
  }

  private void expire(ModelQueue queue, Waiter waiter) {
    boolean removed;
    synchronized (queue) {
      removed = queue.remove(waiter);
    }
    if (!removed) {
      return;
    }
    try {
      waiter.future.complete(
          Optional.of(
              OpenAiError.response(
                      503,
                      "model '"
                          + queue.model
                          + "' is saturated: the request waited "
                          + settings.queueTimeout().toSeconds()
                          + " s for an engine",
                      "server_error",
                      "queue_timeout")
                  .header("Retry-After", "1")));
    } catch (RuntimeException e) {
      waiter.future.completeExceptionally(e);
    }
  }

  @PreDestroy
  void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  /** A request waiting for a slot. */
  private static final class Waiter {
    final Map<String, Object> slot;
    final String key;
    final CompletableFuture<Optional<MutableHttpResponse<?>>> future = new CompletableFuture<>();
    volatile ScheduledFuture<?> timeout;

    Waiter(Map<String, Object> slot, String key) {
      this.slot = slot;
      this.key = key;
    }
  }

  /** One model's slots and waiting requests; guarded by its own monitor. */
  private final class ModelQueue {
    final String model;
    int inFlight;
    int waiting;
    private final Map<String, ArrayDeque<Waiter>> byKey = new HashMap<>();
    private final ArrayDeque<String> turns = new ArrayDeque<>();
    private int credit;

    ModelQueue(String model) {
      this.model = model;
    }

    void add(Waiter waiter) {
      ArrayDeque<Waiter> own = byKey.get(waiter.key);
      if (own == null) {
        own = new ArrayDeque<>();
        byKey.put(waiter.key, own);
        turns.addLast(waiter.key);
      }
      own.addLast(waiter);
      waiting++;
    }

    /** The next request in round-robin order across keys, or null. */
    Waiter next() {
      String key = turns.peekFirst();
      if (key == null) {
        return null;
      }
      if (credit <= 0) {
        credit = weights.applyAsInt(key);
      }
      ArrayDeque<Waiter> own = byKey.get(key);
      Waiter waiter = own.pollFirst();
      waiting--;
      credit--;
      if (own.isEmpty()) {
        byKey.remove(key);
        turns.pollFirst();
        credit = 0;
      } else if (credit == 0) {
        turns.addLast(turns.pollFirst());
      }
      return waiter;
    }

    boolean remove(Waiter waiter) {
      ArrayDeque<Waiter> own = byKey.get(waiter.key);
      if (own == null || !own.remove(waiter)) {
        return false;
      }
      waiting--;
      if (own.isEmpty()) {
        byKey.remove(waiter.key);
        if (waiter.key.equals(turns.peekFirst())) {
          credit = 0;
        }
        turns.remove(waiter.key);
      }
      return true;
    }
  }
}

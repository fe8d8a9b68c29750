package io.sage.gateway.management;

import io.micronaut.context.annotation.Context;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineListener;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.management.EngineManager;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The registry's changes as a numbered stream for {@code GET /v1/management/events}: every
 * transition (an engine's first one is {@code engine.added}) and every engine forgotten. The last
 * {@value #KEPT} events stay in memory, so a client that reconnects with the id of the last event
 * it saw gets what it missed; one that missed more, or saw a gateway that has since restarted (ids
 * carry this gateway run's random prefix), starts over from a snapshot.
 */
@Context
final class RegistryEvents implements EngineListener {
  static final int KEPT = 1024;

  /** One change: {@code engine.added}, {@code engine.transition} or {@code engine.removed}. */
  record Change(long seq, String type, Map<String, Object> data) {}

  private final EngineManager manager;
  private final String run = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  private final Deque<Change> kept = new ArrayDeque<>();
  private final Sinks.Many<Change> live = Sinks.many().multicast().directBestEffort();
  private long seq;

  RegistryEvents(EngineRegistry registry, EngineManager manager) {
    this.manager = manager;
    registry.addListener(this);
  }

  @Override
  public void onTransition(EngineEntry entry, EngineEvent event) {
    Map<String, Object> data = new LinkedHashMap<>(EngineViews.event(event));
    data.put("engine", EngineViews.info(entry, manager));
    publish(event.from() == null ? "engine.added" : "engine.transition", data);
  }

  @Override
  public void onRemoved(EngineEntry entry) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("engine_id", entry.id());
    data.put("engine", EngineViews.info(entry, manager));
    publish("engine.removed", data);
  }

  private synchronized void publish(String type, Map<String, Object> data) {
    Change change = new Change(++seq, type, data);
    kept.addLast(change);
    if (kept.size() > KEPT) {
      kept.removeFirst();
    }
    live.tryEmitNext(change);
  }

  /** The id a client sends back ({@code Last-Event-ID}) to resume after this change. */
  String id(long seq) {
    return run + "-" + seq;
  }

  /**
   * Where a client resumes: the changes after {@code lastEventId} that are still kept, or null when
   * it must start over from a snapshot (no id, an id of another gateway run, or one too old).
   */
  synchronized List<Change> after(String lastEventId) {
    long from = resumable(lastEventId);
    if (from < 0) {
      return null;
    }
    return kept.stream().filter(c -> c.seq() > from).toList();
  }

  private long resumable(String lastEventId) {
    if (lastEventId == null || !lastEventId.startsWith(run + "-")) {
      return -1;
    }
    long n;
    try {
      n = Long.parseLong(lastEventId.substring(run.length() + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
    long oldest = kept.isEmpty() ? seq + 1 : kept.getFirst().seq();
    return n > seq || n < oldest - 1 ? -1 : n;
  }

  /**
   * What a client following from {@code lastEventId} gets: the changes it missed (or, when those
   * are gone, a {@code snapshot} of every engine) and then every later change, with nothing lost or
   * repeated between the two: live changes are subscribed to before the backlog is read, and those
   * already in the backlog are dropped.
   */
  Flux<Change> follow(String lastEventId) {
    return Flux.defer(
        () -> {
          Sinks.Many<Change> buffer = Sinks.many().unicast().onBackpressureBuffer();
          Disposable subscription = live.asFlux().subscribe(buffer::tryEmitNext);
          List<Change> start;
          long upTo;
          synchronized (this) {
            List<Change> backlog = after(lastEventId);
            upTo = seq;
            start = backlog != null ? backlog : List.of(new Change(seq, "snapshot", snapshot()));
          }
          return Flux.concat(Flux.fromIterable(start), buffer.asFlux().filter(c -> c.seq() > upTo))
              .doFinally(signal -> subscription.dispose());
        });
  }

  /** Every engine now, numbered with the last change it includes. */
  synchronized Map<String, Object> snapshot() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("engines", manager.engines().stream().map(e -> EngineViews.info(e, manager)).toList());
    data.put("seq", seq);
    return data;
  }

  synchronized long lastSeq() {
    return seq;
  }

  synchronized List<Change> kept() {
    return List.copyOf(kept);
  }
}

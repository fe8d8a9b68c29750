package io.sage.gateway.management;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Numbered changes, the last {@code kept} of them in memory, for clients that follow and resume.
 * Ids are {@code <run>-<n>}: {@code n} counts this log's changes, {@code run} is random per log
 * (per gateway run), so an id from before a restart is recognised as such.
 */
final class ChangeLog {
  /** One change; {@code snapshot} changes are made up for a client, never kept. */
  record Change(long seq, String type, Map<String, Object> data) {}

  private final int kept;
  private final String run = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  private final Deque<Change> changes = new ArrayDeque<>();
  private final Sinks.Many<Change> live = Sinks.many().multicast().directBestEffort();
  private long seq;

  ChangeLog(int kept) {
    if (kept < 1) {
      throw new IllegalArgumentException("kept must be at least 1");
    }
    this.kept = kept;
  }

  synchronized void publish(String type, Map<String, Object> data) {
    Change change = new Change(++seq, type, data);
    changes.addLast(change);
    if (changes.size() > kept) {
      changes.removeFirst();
    }
    live.tryEmitNext(change);
  }

  /** The id a client sends back ({@code Last-Event-ID}) to resume after this change. */
  String id(long n) {
    return run + "-" + n;
  }

  synchronized String lastId() {
    return id(seq);
  }

  /**
   * The kept changes after {@code lastId}, or null when the client must start over (no id, an id of
   * another run, from the future, or older than what is kept).
   */
  synchronized List<Change> after(String lastId) {
    long from = resumable(lastId);
    return from < 0 ? null : changes.stream().filter(c -> c.seq() > from).toList();
  }

  synchronized List<Change> all() {
    return List.copyOf(changes);
  }

  private long resumable(String lastId) {
    if (lastId == null || !lastId.startsWith(run + "-")) {
      return -1;
    }
    long n;
    try {
      n = Long.parseLong(lastId.substring(run.length() + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
    long oldest = changes.isEmpty() ? seq + 1 : changes.getFirst().seq();
    return n < 0 || n > seq || n < oldest - 1 ? -1 : n;
  }

  /**
   * What a client following from {@code lastId} gets: the changes it missed (or, when those are
   * gone, one {@code snapshot} change made by {@code snapshot}, under the same lock as the
   * numbering) and then every later change, with nothing lost or repeated between the two: live
   * changes are subscribed to before the backlog is read, and those already in it are dropped.
   */
  Flux<Change> follow(String lastId, Supplier<Map<String, Object>> snapshot) {
    return Flux.defer(
        () -> {
          Sinks.Many<Change> buffer = Sinks.many().unicast().onBackpressureBuffer();
          Disposable subscription = live.asFlux().subscribe(buffer::tryEmitNext);
          List<Change> start;
          long upTo;
          synchronized (this) {
            List<Change> backlog = after(lastId);
            upTo = seq;
            start =
                backlog != null ? backlog : List.of(new Change(seq, "snapshot", snapshot.get()));
          }
          return Flux.concat(Flux.fromIterable(start), buffer.asFlux().filter(c -> c.seq() > upTo))
              .doFinally(signal -> subscription.dispose());
        });
  }
}

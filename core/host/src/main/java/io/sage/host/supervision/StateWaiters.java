package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineListener;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Futures that complete when an engine reaches a state (the management API's {@code ?wait=true}),
 * completed by the registry's transition events; nobody polls.
 */
public final class StateWaiters implements EngineListener {
  private record Waiter(
      String engineId, Predicate<EngineState> target, CompletableFuture<Void> done) {}

  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();

  /** Completes when the engine reaches one of the states (at once when it is in one already). */
  public CompletableFuture<Void> await(EngineEntry entry, Predicate<EngineState> target) {
    Waiter waiter = new Waiter(entry.id(), target, new CompletableFuture<>());
    waiters.add(waiter);
    // checked after registering, so a transition between the two cannot be missed
    if (target.test(entry.state())) {
      complete(waiter);
    }
    waiter.done.whenComplete((x, e) -> waiters.remove(waiter));
    return waiter.done;
  }

  @Override
  public void onTransition(EngineRecord record, EngineEvent event) {
    for (Waiter waiter : waiters) {
      if (waiter.engineId.equals(event.engineId()) && waiter.target.test(event.to())) {
        complete(waiter);
      }
    }
  }

  /** Waiters that are still open (for tests: none may leak). */
  int open() {
    return waiters.size();
  }

  private void complete(Waiter waiter) {
    waiters.remove(waiter);
    waiter.done.complete(null);
  }
}

package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Records;
import io.sage.host.store.InMemoryEngineStore;
import io.sage.spi.engine.EngineKind;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StateWaitersTest {
  final EngineRegistry registry = new EngineRegistry(new InMemoryEngineStore(), Clock.systemUTC());
  final StateWaiters waiters = new StateWaiters();

  StateWaitersTest() {
    registry.addListener(waiters);
  }

  EngineEntry engine(String id) {
    return registry.create(Records.starting(id, "m", EngineKind.LLM), "test");
  }

  @Test
  void completesAtTheTransitionIntoATargetState() {
    EngineEntry entry = engine("eng-000000000001");
    CompletableFuture<Void> ready = waiters.await(entry, s -> s == EngineState.READY);
    assertThat(ready).isNotDone();

    registry.transition(entry, EngineState.READY, "test", r -> r);

    assertThat(ready).isDone();
    assertThat(waiters.open()).isZero();
  }

  @Test
  void completesAtOnceWhenTheEngineIsThereAlready() {
    EngineEntry entry = engine("eng-000000000002");
    assertThat(waiters.await(entry, s -> s == EngineState.STARTING)).isDone();
    assertThat(waiters.open()).isZero();
  }

  @Test
  void otherStatesAndOtherEnginesDoNotComplete() {
    EngineEntry a = engine("eng-000000000003");
    EngineEntry b = engine("eng-000000000004");
    CompletableFuture<Void> stopped = waiters.await(a, s -> s == EngineState.STOPPED);

    registry.transition(a, EngineState.READY, "test", r -> r);
    registry.transition(b, EngineState.STOPPED, "test", r -> r);

    assertThat(stopped).isNotDone();
    registry.transition(a, EngineState.DRAINING, "test", r -> r);
    registry.transition(a, EngineState.STOPPED, "test", r -> r);
    assertThat(stopped).isDone();
  }

  @Test
  void aWaiterGivenUpOnIsForgotten() {
    EngineEntry entry = engine("eng-000000000005");
    CompletableFuture<Void> ready = waiters.await(entry, s -> s == EngineState.READY);
    ready.cancel(false);
    assertThat(waiters.open()).isZero();
  }

  @Test
  void anyOfSeveralStatesWill() {
    EngineEntry entry = engine("eng-000000000006");
    CompletableFuture<Void> settled =
        waiters.await(entry, s -> s == EngineState.READY || s == EngineState.ERROR);
    registry.transition(entry, EngineState.ERROR, "test", r -> r);
    assertThat(settled).isDone();
  }
}

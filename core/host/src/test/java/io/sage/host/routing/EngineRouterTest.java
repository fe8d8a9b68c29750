package io.sage.host.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Records;
import io.sage.host.store.InMemoryEngineStore;
import io.sage.spi.engine.EngineKind;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineRouterTest {
  final EngineRegistry registry = new EngineRegistry(new InMemoryEngineStore(), Clock.systemUTC());
  final EngineRouter router = new EngineRouter(registry);

  EngineEntry ready(String id, String model, EngineKind kind) {
    EngineEntry entry = registry.create(Records.starting(id, model, kind), "test");
    registry.transition(entry, EngineState.READY, "test", r -> r);
    return entry;
  }

  @Test
  void fewestInFlightWinsAndTiesRotate() {
    EngineEntry a = ready("eng-00000000000a", "m", EngineKind.LLM);
    EngineEntry b = ready("eng-00000000000b", "m", EngineKind.LLM);
    a.requestStarted();
    for (int i = 0; i < 5; i++) {
      assertThat(router.choose("m", EngineKind.LLM, List.of())).contains(b);
    }
    a.requestFinished();
    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      picks.merge(
          router.choose("m", EngineKind.LLM, List.of()).orElseThrow().id(), 1, Integer::sum);
    }
    assertThat(picks).containsEntry(a.id(), 5).containsEntry(b.id(), 5);
  }

  @Test
  void onlyReadyEnginesOfTheKindAndModelAreChosen() {
    EngineEntry a = ready("eng-00000000000a", "m", EngineKind.LLM);
    ready("eng-00000000000e", "m", EngineKind.EMBEDDING);
    registry.create(Records.starting("eng-00000000000c", "m", EngineKind.LLM), "test");
    assertThat(router.choose("m", EngineKind.LLM, List.of())).contains(a);
    assertThat(router.choose("m", EngineKind.LLM, List.of(a.id()))).isEmpty();
    assertThat(router.choose("other", EngineKind.LLM, List.of())).isEmpty();
    registry.transition(a, EngineState.DRAINING, "stop", r -> r);
    assertThat(router.choose("m", EngineKind.LLM, List.of())).isEmpty();
    assertThat(router.isKnown("m", EngineKind.LLM)).isTrue();
    assertThat(router.isKnown("other", EngineKind.LLM)).isFalse();
  }

  @Test
  void readyCountCountsReadyEnginesOfTheModelOnly() {
    EngineEntry a = ready("eng-00000000000a", "m", EngineKind.LLM);
    ready("eng-00000000000b", "m", EngineKind.LLM);
    ready("eng-00000000000o", "other", EngineKind.LLM);
    registry.create(Records.starting("eng-00000000000c", "m", EngineKind.LLM), "test");
    assertThat(router.readyCount("m")).isEqualTo(2);
    registry.transition(a, EngineState.DRAINING, "stop", r -> r);
    assertThat(router.readyCount("m")).isEqualTo(1);
    assertThat(router.readyCount("none")).isZero();
  }
}

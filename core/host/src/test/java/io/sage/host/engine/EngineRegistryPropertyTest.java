package io.sage.host.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.store.InMemoryEngineStore;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import java.time.Clock;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random sequences of requested transitions (commands and faults alike end up as one) against the
 * registry: only the transitions of docs/spec.md §3 are ever committed, illegal ones change
 * nothing, and the event history is a connected path.
 */
class EngineRegistryPropertyTest {

  @Property(tries = 300)
  void onlySpecTransitionsEverHappen(
      @ForAll("requests") @Size(max = 60) List<EngineState> requests) {
    InMemoryEngineStore store = new InMemoryEngineStore();
    EngineRegistry registry = new EngineRegistry(store, Clock.systemUTC());
    EngineEntry entry =
        registry.create(Records.starting("eng-000000000001", "m", EngineKind.LLM), "test");
    for (EngineState to : requests) {
      EngineState before = entry.state();
      if (EngineTransitions.isAllowed(before, to)) {
        registry.transition(entry, to, "requested " + to, r -> r);
        assertThat(entry.state()).isEqualTo(to);
      } else {
        assertThatThrownBy(() -> registry.transition(entry, to, "illegal", r -> r))
            .isInstanceOf(SageException.class);
        assertThat(entry.state()).isEqualTo(before);
        EngineState other =
            before == EngineState.STARTING ? EngineState.READY : EngineState.STARTING;
        assertThat(registry.transitionIf(entry, other, to, "stale", r -> r)).isFalse();
      }
    }
    List<EngineEvent> events = store.allEvents();
    assertThat(events.get(0).from()).isNull();
    assertThat(events.get(0).to()).isEqualTo(EngineState.STARTING);
    for (int i = 1; i < events.size(); i++) {
      EngineEvent event = events.get(i);
      assertThat(event.from()).isEqualTo(events.get(i - 1).to());
      assertThat(EngineTransitionsTest.SPEC).contains(event.from() + ">" + event.to());
    }
    assertThat(store.find(entry.id()).orElseThrow().state()).isEqualTo(entry.state());
  }

  @Provide
  Arbitrary<List<EngineState>> requests() {
    return Arbitraries.of(EngineState.class).list();
  }
}

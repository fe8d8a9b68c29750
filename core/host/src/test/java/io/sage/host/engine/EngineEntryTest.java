package io.sage.host.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineEntryTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static EngineRecord record(Map<String, String> options) {
    EngineSpec spec =
        new EngineSpec(
            "Qwen/Qwen2.5-7B",
            "qwen",
            EngineKind.LLM,
            "mock",
            null,
            1,
            List.of(),
            false,
            null,
            List.of(),
            options);
    return EngineRecord.starting(
        "eng-1", spec, Placement.local("127.0.0.1", 41000, List.of(), 0), "k", T0);
  }

  @Test
  void servesItsServedNameAndItsModelName() {
    EngineEntry entry = new EngineEntry(record(Map.of()));
    assertThat(entry.serves("qwen")).isTrue();
    assertThat(entry.serves("Qwen/Qwen2.5-7B")).isTrue();
    assertThat(entry.serves("Qwen")).isFalse();
    assertThat(entry.serves("other")).isFalse();
  }

  @Test
  void onlyAReadyEngineIsRoutable() {
    EngineEntry entry = new EngineEntry(record(Map.of()));
    for (EngineState state : EngineState.values()) {
      entry.setRecord(entry.record().withState(state, T0));
      assertThat(entry.isRoutable()).as(state.name()).isEqualTo(state == EngineState.READY);
      assertThat(entry.state()).isEqualTo(state);
    }
  }

  @Test
  void countsRequestsInFlight() {
    EngineEntry entry = new EngineEntry(record(Map.of()));
    assertThat(entry.inFlight()).isZero();
    entry.requestStarted();
    entry.requestStarted();
    entry.requestFinished();
    assertThat(entry.inFlight()).isEqualTo(1);
    entry.requestFinished();
    assertThat(entry.inFlight()).isZero();
  }

  @Test
  void theInFlightCountSurvivesANewRecord() {
    EngineEntry entry = new EngineEntry(record(Map.of()));
    entry.requestStarted();
    entry.setRecord(entry.record().withState(EngineState.DRAINING, T0));
    assertThat(entry.inFlight()).isEqualTo(1);
    assertThat(entry.id()).isEqualTo("eng-1");
  }

  @Test
  void hostOptionsAreParsedFromTheSpecOnce() {
    EngineEntry entry = new EngineEntry(record(Map.of("restart_policy", "never")));
    assertThat(entry.hostOptions().restarts()).isEqualTo(HostOptions.Restarts.NEVER);
    HostOptions first = entry.hostOptions();
    entry.setRecord(entry.record().withState(EngineState.READY, T0));
    assertThat(entry.hostOptions()).isSameAs(first);
    assertThat(new EngineEntry(record(Map.of())).hostOptions()).isEqualTo(HostOptions.DEFAULTS);
  }

  @Test
  void thePlannedStopIsSetAndCleared() {
    EngineEntry entry = new EngineEntry(record(Map.of()));
    assertThat(entry.plannedStop()).isNull();
    PlannedStop stop = new PlannedStop(PlannedStop.Kind.STOP, "stopped by alice");
    entry.setPlannedStop(stop);
    assertThat(entry.plannedStop()).isEqualTo(stop);
    entry.setPlannedStop(null);
    assertThat(entry.plannedStop()).isNull();
  }
}

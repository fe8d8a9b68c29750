package io.sage.host.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.engine.EngineKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record's parts and the one change each {@code with…} makes. */
class EngineRecordTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = T0.plusSeconds(1);
  private final EngineRecord base = Records.starting("eng-000000000001", "m", EngineKind.LLM);

  @Test
  void aNewEngineIsStartingAndMeantToRun() {
    assertThat(base.state()).isEqualTo(EngineState.STARTING);
    assertThat(base.desiredState()).isEqualTo(DesiredState.RUNNING);
    assertThat(base.process()).isEqualTo(ProcessIdentity.NONE);
    assertThat(base.health()).isEqualTo(Health.UNKNOWN);
    assertThat(base.restartCount()).isZero();
    assertThat(base.lastError()).isNull();
    assertThat(base.createdAt()).isEqualTo(base.updatedAt()).isEqualTo(base.stateSince());
    assertThat(base.baseUrl()).isEqualTo("http://127.0.0.1:41000");
  }

  @Test
  void aStateChangeMovesStateSinceAndUpdatedAt() {
    EngineRecord ready = base.withState(EngineState.READY, T1);
    assertThat(ready.state()).isEqualTo(EngineState.READY);
    assertThat(ready.stateSince()).isEqualTo(T1);
    assertThat(ready.updatedAt()).isEqualTo(T1);
    assertThat(ready.createdAt()).isEqualTo(base.createdAt());
  }

  @Test
  void everyOtherChangeKeepsStateSince() {
    List<EngineRecord> changed = new ArrayList<>();
    changed.add(base.withDesiredState(DesiredState.STOPPED, T1));
    changed.add(base.withRestart(T1));
    changed.add(base.withLastError("x", T1));
    changed.add(base.withPlacement(base.placement().onPort(41001), T1));
    changed.add(base.withProcess(new ProcessIdentity(99, T0, "x"), T1));
    changed.add(base.withHealth(Health.passed(T1), T1));
    for (EngineRecord r : changed) {
      assertThat(r.stateSince()).isEqualTo(base.stateSince());
      assertThat(r.updatedAt()).isEqualTo(T1);
      assertThat(r.state()).isEqualTo(EngineState.STARTING);
    }
    assertThat(changed.get(0).desiredState()).isEqualTo(DesiredState.STOPPED);
    assertThat(changed.get(1).restartCount()).isEqualTo(1);
    assertThat(changed.get(2).lastError()).isEqualTo("x");
    assertThat(changed.get(3).port()).isEqualTo(41001);
    assertThat(changed.get(3).baseUrl()).isEqualTo("http://127.0.0.1:41001");
    assertThat(changed.get(4).process().pid()).isEqualTo(99);
    assertThat(changed.get(5).health().lastHeartbeatAt()).isEqualTo(T1);
  }

  @Test
  void placementsOfLocalAndRemoteEngines() {
    assertThat(Placement.local("10.0.0.1", 41000, List.of(1, 0), 1024))
        .isEqualTo(new Placement("10.0.0.1", 41000, "http://10.0.0.1:41000", List.of(1, 0), 1024));
    assertThat(Placement.remote("https://api.example.com/openai"))
        .isEqualTo(
            new Placement("api.example.com", null, "https://api.example.com/openai", List.of(), 0));
    assertThat(Placement.remote("http://10.0.0.9:9000").port()).isEqualTo(9000);
    assertThat(Placement.local("h", 1, List.of(0), 10).withGpus(List.of(2, 3), 20).gpuIds())
        .containsExactly(2, 3);
    assertThatThrownBy(() -> new Placement("h", 1, "u", List.of(), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void processIdentities() {
    assertThat(ProcessIdentity.of(null, T0, null)).isEqualTo(ProcessIdentity.NONE);
    assertThat(ProcessIdentity.of(null, T0, "job:7"))
        .as("a scheduler job's handle survives without a pid")
        .isEqualTo(ProcessIdentity.job("job:7"));
    assertThat(ProcessIdentity.job("job:7").isKnown()).isFalse();
    assertThat(ProcessIdentity.NONE.isKnown()).isFalse();
    assertThat(ProcessIdentity.NONE.pidOrNull()).isNull();
    assertThat(ProcessIdentity.of(42L, T0, "x").isKnown()).isTrue();
    assertThat(ProcessIdentity.of(42L, null, "x").isKnown()).isFalse();
    assertThat(new ProcessIdentity(1, T0, "init").isKnown()).as("never init").isFalse();
    assertThatThrownBy(() -> new ProcessIdentity(-1, T0, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void healthCounts() {
    Health h = Health.passed(T0).failedOnce().failedOnce();
    assertThat(h).isEqualTo(new Health(T0, 2));
    assertThat(h.cleared()).isEqualTo(new Health(T0, 0));
    assertThatThrownBy(() -> new Health(T0, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nullsBecomeNoneAndEmpty() {
    EngineRecord r =
        new EngineRecord(
            "eng-000000000002",
            base.spec(),
            null,
            base.lifecycle(),
            base.placement(),
            null,
            null,
            T0,
            T0);
    assertThat(r.engineApiKey()).isEmpty();
    assertThat(r.process()).isEqualTo(ProcessIdentity.NONE);
    assertThat(r.health()).isEqualTo(Health.UNKNOWN);
    assertThatThrownBy(
            () ->
                new EngineRecord("x", base.spec(), "", null, base.placement(), null, null, T0, T0))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void desiredStateSaysWhetherToRun() {
    assertThat(DesiredState.RUNNING.isRunning()).isTrue();
    assertThat(DesiredState.STOPPED.isRunning()).isFalse();
  }
}

package io.sage.host.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = T0.plusSeconds(5);

  @Test
  void stateDesiredAndSinceAreRequired() {
    assertThatThrownBy(() -> new Lifecycle(null, DesiredState.RUNNING, T0, 0, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("state");
    assertThatThrownBy(() -> new Lifecycle(EngineState.READY, null, T0, 0, null))
        .hasMessage("desired");
    assertThatThrownBy(() -> new Lifecycle(EngineState.READY, DesiredState.RUNNING, null, 0, null))
        .hasMessage("since");
  }

  @Test
  void aNewEngineIsStartingMeantToRunWithNoHistory() {
    Lifecycle l = Lifecycle.starting(T0);
    assertThat(l.state()).isEqualTo(EngineState.STARTING);
    assertThat(l.desired()).isEqualTo(DesiredState.RUNNING);
    assertThat(l.since()).isEqualTo(T0);
    assertThat(l.restartCount()).isZero();
    assertThat(l.lastError()).isNull();
    assertThat(l.recentRestarts()).isEmpty();
  }

  @Test
  void theRestartHistoryIsNeverNullAndIsACopy() {
    assertThat(
            new Lifecycle(EngineState.READY, DesiredState.RUNNING, T0, 0, null, null)
                .recentRestarts())
        .isEmpty();
    List<Instant> window = new ArrayList<>(List.of(T0));
    Lifecycle l = new Lifecycle(EngineState.READY, DesiredState.RUNNING, T0, 1, null, window);
    window.add(T1);
    assertThat(l.recentRestarts()).containsExactly(T0);
  }

  @Test
  void enteringAStateMovesSinceAndKeepsTheRest() {
    Lifecycle l =
        new Lifecycle(EngineState.STARTING, DesiredState.RUNNING, T0, 2, "boom", List.of(T0));
    Lifecycle ready = l.enter(EngineState.READY, T1);
    assertThat(ready)
        .isEqualTo(
            new Lifecycle(EngineState.READY, DesiredState.RUNNING, T1, 2, "boom", List.of(T0)));
  }

  @Test
  void eachChangeReplacesOnePart() {
    Lifecycle l = Lifecycle.starting(T0);
    assertThat(l.desire(DesiredState.STOPPED))
        .isEqualTo(new Lifecycle(EngineState.STARTING, DesiredState.STOPPED, T0, 0, null));
    assertThat(l.restarted().restarted().restartCount()).isEqualTo(2);
    assertThat(l.restarted().since()).isEqualTo(T0);
    assertThat(l.failed("exit 137").lastError()).isEqualTo("exit 137");
    assertThat(l.failed("exit 137").state()).isEqualTo(EngineState.STARTING);
    assertThat(l.restartsWithin(List.of(T0, T1)).recentRestarts()).containsExactly(T0, T1);
    assertThat(l.restartsWithin(List.of(T0, T1)).restartCount()).isZero();
    assertThat(l).isEqualTo(Lifecycle.starting(T0));
  }
}

package io.sage.host.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EngineTransitionsTest {
  /**
   * docs/spec.md §3, written out once more by hand so that the table in the code is checked against
   * it.
   */
  static final Set<String> SPEC =
      Set.of(
          "STARTING>READY",
          "STARTING>ERROR",
          "READY>ERROR",
          "READY>DRAINING",
          "DRAINING>STOPPED",
          "STARTING>STOPPED",
          "ERROR>STOPPED",
          "ERROR>STARTING",
          "STOPPED>STARTING");

  @Test
  void exactlyTheSpecTransitionsAreAllowed() {
    for (EngineState from : EngineState.values()) {
      for (EngineState to : EngineState.values()) {
        assertThat(EngineTransitions.isAllowed(from, to))
            .as(from + " -> " + to)
            .isEqualTo(SPEC.contains(from + ">" + to));
      }
    }
  }

  @Test
  void anIllegalTransitionIsAConflictNamingTheState() {
    assertThatThrownBy(
            () ->
                EngineTransitions.check("eng-1", EngineState.STOPPED, EngineState.DRAINING, "stop"))
        .isInstanceOf(SageException.class)
        .hasMessageContaining("STOPPED")
        .satisfies(e -> assertThat(((SageException) e).code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
    assertThat(EngineTransitions.next(EngineState.DRAINING))
        .isEqualTo(EnumSet.of(EngineState.STOPPED));
  }
}

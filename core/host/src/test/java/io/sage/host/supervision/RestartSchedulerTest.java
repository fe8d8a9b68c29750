package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineState;
import io.sage.host.fake.FakeProcessTable.FakeProcess;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Automatic and manual restarts: backoff, budget, opt-out, on scheduler time. */
class RestartSchedulerTest {
  @TempDir Path dir;
  SupervisionHarness h;

  @BeforeEach
  void setUp() {
    h = new SupervisionHarness(dir);
    // engines come up at their first probe, so only the faults a test injects make them fail
    h.prober.otherwise(ProbeResult.passed());
    h.start();
  }

  @Test
  void aCrashedEngineIsRelaunchedAfterOneSecondAsANewProcess() {
    EngineEntry entry = h.ready("m");
    FakeProcess first = h.process(entry);

    h.processes.exit(first.pid, 1);
    h.scheduler.runDue();

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError()).isEqualTo("process exited with code 1");
    h.scheduler.advance(Duration.ofMillis(999));
    assertThat(entry.state()).as("backoff not over yet").isEqualTo(EngineState.ERROR);
    h.scheduler.advance(Duration.ofMillis(1));

    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(h.lastReason(entry))
        .isEqualTo(
            "automatic restart 1/5 after 1000 ms; previous failure: process exited with code 1");
    assertThat(entry.record().restartCount()).isEqualTo(1);
    FakeProcess second = h.process(entry);
    assertThat(second.pid).isNotEqualTo(first.pid);
    assertThat(second.alive()).isTrue();
    assertThat(h.processes.launches()).hasSize(2);
    assertThat(h.processes.launches().get(1).argv())
        .as("the same port again")
        .isEqualTo(h.processes.launches().get(0).argv());
  }

  @Test
  void delaysDoubleFromOneSecond() {
    EngineEntry entry = h.launch("m");
    long[] expected = {1000, 2000, 4000, 8000, 16000};
    for (long delay : expected) {
      h.processes.exit(h.process(entry).pid, 1);
      h.scheduler.runDue();
      assertThat(entry.state()).isEqualTo(EngineState.ERROR);
      Instant failedAt = h.scheduler.now();
      h.awaitState(entry, EngineState.STARTING, Duration.ofMinutes(2));
      assertThat(Duration.between(failedAt, h.scheduler.now()).toMillis()).isEqualTo(delay);
    }
  }

  @Test
  void theJitterMovesTheDelayWithinBounds() {
    h.jitter.set(0.0);
    EngineEntry entry = h.launch("m");
    h.processes.exit(h.process(entry).pid, 1);
    h.scheduler.runDue();
    Instant failedAt = h.scheduler.now();
    h.awaitState(entry, EngineState.STARTING, Duration.ofSeconds(5));
    assertThat(Duration.between(failedAt, h.scheduler.now())).isEqualTo(Duration.ofMillis(800));
  }

  @Test
  void afterFiveRestartsInTenMinutesItGivesUpAndSaysWhy() {
    EngineEntry entry = h.launch("m");
    for (int i = 1; i <= 5; i++) {
      h.processes.exit(h.process(entry).pid, 2);
      h.scheduler.runDue();
      h.awaitState(entry, EngineState.STARTING, Duration.ofMinutes(2));
      assertThat(h.lastReason(entry)).startsWith("automatic restart " + i + "/5 after ");
    }
    h.processes.exit(h.process(entry).pid, 2);
    h.scheduler.advance(Duration.ofMinutes(5));

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError())
        .isEqualTo(
            "gave up restarting: 5 restarts within 10 min; last failure: process exited with code 2");
    assertThat(entry.record().restartCount()).isEqualTo(5);
    assertThat(h.logs.tail(entry.id(), 5)).anyMatch(l -> l.startsWith("[sage] gave up restarting"));
    assertThat(h.history(entry))
        .as("giving up is an event, not only last_error")
        .last()
        .isEqualTo(
            "ERROR->ERROR: gave up restarting: 5 restarts within 10 min; last failure: process exited with code 2");
  }

  @Test
  void theBudgetsWindowSurvivesAGatewayRestart() {
    EngineEntry entry = h.launch("m");
    for (int i = 1; i <= 3; i++) {
      h.processes.exit(h.process(entry).pid, 2);
      h.scheduler.runDue();
      h.awaitState(entry, EngineState.STARTING, Duration.ofMinutes(2));
    }
    assertThat(h.store.find(entry.id()).orElseThrow().recentRestarts()).hasSize(3);

    // a new gateway on the same store (its process table does not have the old process, which
    // is relaunched without counting: nothing failed): the three restarts still count
    SupervisionHarness again = new SupervisionHarness(dir, h.config, h.store);
    again.scheduler.advance(Duration.between(again.scheduler.now(), h.scheduler.now()));
    again.prober.otherwise(ProbeResult.passed());
    again.registry.load();
    again.supervision.reconcile();
    again.start();
    again.scheduler.runDue();
    EngineEntry reloaded = again.registry.require(entry.id());
    assertThat(again.lastReason(reloaded)).isEqualTo(Reconciler.GONE);
    again.processes.exit(again.process(reloaded).pid, 2);
    again.scheduler.runDue();
    again.awaitState(reloaded, EngineState.STARTING, Duration.ofMinutes(2));
    assertThat(again.lastReason(reloaded)).startsWith("automatic restart 4/5 after 8000 ms");
    again.processes.exit(again.process(reloaded).pid, 2);
    again.scheduler.runDue();
    again.awaitState(reloaded, EngineState.STARTING, Duration.ofMinutes(2));
    again.processes.exit(again.process(reloaded).pid, 2);
    again.scheduler.advance(Duration.ofMinutes(2));

    assertThat(reloaded.state()).isEqualTo(EngineState.ERROR);
    assertThat(reloaded.record().lastError()).startsWith("gave up restarting: 5 restarts");
  }

  @Test
  void aManualRestartEmptiesTheKeptWindow() {
    EngineEntry entry = h.launch("m");
    h.processes.exit(h.process(entry).pid, 2);
    h.scheduler.runDue();
    h.awaitState(entry, EngineState.STARTING, Duration.ofMinutes(2));
    h.processes.exit(h.process(entry).pid, 2);
    h.scheduler.runDue();
    assertThat(h.store.find(entry.id()).orElseThrow().recentRestarts()).hasSize(2);
    h.supervision.stop(entry, false, Duration.ZERO, "test");
    h.scheduler.runDue();

    h.supervision.restart(entry, "alice");

    assertThat(h.store.find(entry.id()).orElseThrow().recentRestarts()).isEmpty();
  }

  @Test
  void restartPolicyNeverLeavesItInError() {
    EngineEntry entry = h.launch("m", Map.of("restart_policy", "never"));
    h.processes.exit(h.process(entry).pid, 1);
    h.scheduler.advance(Duration.ofMinutes(10));

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().restartCount()).isZero();
    assertThat(h.logs.tail(entry.id(), 5))
        .contains("[sage] not restarting: restart_policy is never");
  }

  @Test
  void aManualRestartResetsTheBudget() {
    EngineEntry entry = h.launch("m");
    for (int i = 0; i < 6; i++) {
      h.processes.exit(h.process(entry).pid, 2);
      h.scheduler.advance(Duration.ofMinutes(1));
    }
    assertThat(entry.record().lastError()).startsWith("gave up restarting");

    h.supervision.restart(entry, "alice");
    h.scheduler.runDue();
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(h.lastReason(entry)).isEqualTo("manual restart by alice");

    h.processes.exit(h.process(entry).pid, 3);
    h.scheduler.runDue();
    h.awaitState(entry, EngineState.STARTING, Duration.ofSeconds(2));
    assertThat(h.lastReason(entry)).startsWith("automatic restart 1/5 after 1000 ms");
  }

  @Test
  void aManualRestartWorksFromStoppedAndSetsTheDesiredState() {
    EngineEntry entry = h.ready("m");
    h.supervision.stop(entry, false, Duration.ZERO, "test");
    h.scheduler.runDue();
    assertThat(entry.record().desiredState()).isEqualTo(DesiredState.STOPPED);

    h.supervision.restart(entry, "bob");
    h.scheduler.runDue();

    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(entry.record().desiredState()).isEqualTo(DesiredState.RUNNING);
    assertThat(h.process(entry).alive()).isTrue();
  }

  @Test
  void aManualRestartOfARunningEngineIsAConflict() {
    EngineEntry entry = h.ready("m");
    assertThatThrownBy(() -> h.supervision.restart(entry, "alice"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE))
        .hasMessage(
            "cannot restart engine "
                + entry.id()
                + ": it is READY (restart works from ERROR or STOPPED)");
  }

  @Test
  void anEngineStoppedDuringTheBackoffIsNotRestarted() {
    EngineEntry entry = h.ready("m");
    h.processes.exit(h.process(entry).pid, 1);
    h.scheduler.runDue();
    h.supervision.stop(entry, false, Duration.ZERO, "test");
    h.scheduler.runDue();
    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);

    h.scheduler.advance(Duration.ofMinutes(2));

    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
  }

  @Test
  void aLaunchTheOsRefusesIsAFailureLikeAnyOther() {
    h.processes.failNextLaunch("no such file");
    EngineEntry entry = h.launch("m");

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError())
        .isEqualTo("launch failed: engine " + entry.id() + " could not be launched: no such file");
    h.awaitState(entry, EngineState.STARTING, Duration.ofSeconds(2));
    assertThat(h.process(entry).alive()).isTrue();
  }

  @Test
  void aRuntimeThatThrowsIsReportedWithItsName() {
    h.runtime.failNextCreate(new NullPointerException("bug"));
    EngineEntry entry = h.launch("m");

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError())
        .isEqualTo("launch failed: runtime fake threw java.lang.NullPointerException: bug");
  }

  @Test
  void nothingRestartsOnceTheGatewayIsShuttingDown() {
    EngineEntry entry = h.ready("m");
    h.supervision.shutdown(true, Duration.ZERO);
    h.processes.exit(h.process(entry).pid, 1);
    h.scheduler.advance(Duration.ofMinutes(1));

    assertThat(entry.state()).as("the exit is not even recorded").isEqualTo(EngineState.READY);
  }
}

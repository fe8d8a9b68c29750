package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.fake.FakeProcessTable.FakeProcess;
import io.sage.host.fake.FakeProcessTable.SentSignal;
import io.sage.host.process.ProcessTable.Signal;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drain, SIGTERM, SIGKILL after the grace period, STOPPED only when the group is gone. */
class EngineStopperTest {
  @TempDir Path dir;
  SupervisionHarness h;

  @BeforeEach
  void setUp() {
    h = new SupervisionHarness(dir);
    h.prober.otherwise(ProbeResult.passed());
    h.start();
  }

  @Test
  void aReadyEngineDrainsAtOnceWhenNothingIsInFlight() {
    EngineEntry entry = h.ready("m");
    FakeProcess process = h.process(entry);

    CompletableFuture<EngineRecord> stopped =
        h.supervision.stop(entry, true, Duration.ofSeconds(30), "alice");
    h.scheduler.runDue();

    assertThat(stopped).isCompletedWithValueMatching(r -> r.state() == EngineState.STOPPED);
    assertThat(h.history(entry))
        .endsWith(
            "READY->DRAINING: stop requested by alice: draining 0 in-flight request(s), timeout 30 s",
            "DRAINING->STOPPED: drained; process group stopped after SIGTERM");
    assertThat(process.alive()).isFalse();
    assertThat(entry.record().desiredState()).isEqualTo(DesiredState.STOPPED);
  }

  @Test
  void theDrainWaitsForInFlightRequests() {
    EngineEntry entry = h.ready("m");
    entry.requestStarted();
    entry.requestStarted();
    CompletableFuture<EngineRecord> stopped =
        h.supervision.stop(entry, true, Duration.ofSeconds(30), "alice");

    h.scheduler.advance(Duration.ofSeconds(10));
    assertThat(entry.state()).isEqualTo(EngineState.DRAINING);
    assertThat(h.processes.signals()).isEmpty();
    entry.requestFinished();
    h.scheduler.advance(Duration.ofSeconds(1));
    assertThat(entry.state()).isEqualTo(EngineState.DRAINING);
    entry.requestFinished();
    h.scheduler.advance(Duration.ofMillis(20));

    assertThat(stopped).isDone();
    assertThat(h.lastReason(entry)).isEqualTo("drained; process group stopped after SIGTERM");
  }

  @Test
  void theDrainTimeoutEndsTheWait() {
    EngineEntry entry = h.ready("m");
    entry.requestStarted();
    h.supervision.stop(entry, true, Duration.ofSeconds(30), "alice");

    h.scheduler.advance(Duration.ofMillis(29_990));
    assertThat(entry.state()).isEqualTo(EngineState.DRAINING);
    h.scheduler.advance(Duration.ofMillis(10));

    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.lastReason(entry))
        .isEqualTo(
            "drain timeout after 30 s with 1 request(s) in flight; process group stopped after SIGTERM");
  }

  @Test
  void aStopWithoutDrainDoesNotWaitForRequests() {
    EngineEntry entry = h.ready("m");
    entry.requestStarted();

    h.supervision.stop(entry, false, Duration.ofSeconds(30), "alice");
    h.scheduler.runDue();

    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.history(entry)).contains("READY->DRAINING: stop requested by alice without drain");
  }

  @Test
  void aHungEngineGetsSigkillAfterTheGracePeriodOfItsRuntime() {
    h.runtime.stopGrace(Duration.ofSeconds(25));
    h.processes.nextLaunchIgnoresTerm();
    EngineEntry entry = h.ready("m");
    FakeProcess process = h.process(entry);
    Instant stopAt = h.scheduler.now();

    h.supervision.stop(entry, false, Duration.ZERO, "alice");
    h.scheduler.advance(Duration.ofMillis(24_990));
    assertThat(process.alive()).as("still within the grace period").isTrue();
    assertThat(entry.state()).isEqualTo(EngineState.DRAINING);
    h.scheduler.advance(Duration.ofMillis(10));

    assertThat(process.alive()).isFalse();
    assertThat(h.processes.signals())
        .containsExactly(
            new SentSignal(process.pid, Signal.TERM, stopAt),
            new SentSignal(process.pid, Signal.KILL, stopAt.plusSeconds(25)));
    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.lastReason(entry))
        .isEqualTo("drained; process group killed (SIGKILL) after 25 s grace period");
  }

  @Test
  void stoppedMeansNoMemberOfTheGroupIsLeft() {
    EngineEntry entry = h.ready("m");
    FakeProcess leader = h.process(entry);
    FakeProcess worker = h.processes.fork(leader.pid).ignoringTerm();

    h.supervision.stop(entry, false, Duration.ZERO, "alice");
    h.scheduler.advance(Duration.ofSeconds(5));
    assertThat(leader.alive()).isFalse();
    assertThat(worker.alive()).isTrue();
    assertThat(entry.state()).as("a worker is left").isEqualTo(EngineState.DRAINING);
    h.scheduler.advance(Duration.ofSeconds(5));

    assertThat(worker.alive()).isFalse();
    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
  }

  @Test
  void aGroupThatSurvivesSigkillIsReportedAndTheEngineStillStops() {
    EngineEntry entry = h.ready("m");
    FakeProcess leader = h.process(entry);
    // a process stuck in the kernel (uninterruptible sleep) outlives even SIGKILL for a while
    FakeProcess stuck = h.processes.fork(leader.pid).unkillable();

    h.supervision.stop(entry, false, Duration.ZERO, "alice");
    h.scheduler.advance(Duration.ofSeconds(10));
    assertThat(h.processes.signals())
        .extracting(SentSignal::signal)
        .containsExactly(Signal.TERM, Signal.KILL);
    h.scheduler.advance(Duration.ofMillis(9_990));
    assertThat(entry.state()).isEqualTo(EngineState.DRAINING);
    h.scheduler.advance(Duration.ofMillis(10));

    assertThat(stuck.alive()).isTrue();
    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.lastReason(entry))
        .isEqualTo("drained; process group " + leader.pid + " did not exit after SIGKILL");
  }

  @Test
  void startingAndErrorEnginesStopWithoutDraining() {
    EngineEntry starting = h.launch("m");
    h.supervision.stop(starting, true, Duration.ofSeconds(30), "alice");
    h.scheduler.runDue();
    assertThat(starting.state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.lastReason(starting))
        .isEqualTo("stopped by alice while STARTING; process group stopped after SIGTERM");

    h.prober.otherwise(ProbeResult.failed("connection refused"));
    EngineEntry failing = h.launch("f", java.util.Map.of("restart_policy", "never"));
    h.processes.exit(h.process(failing).pid, 9);
    h.scheduler.runDue();
    assertThat(failing.state()).isEqualTo(EngineState.ERROR);
    h.supervision.stop(failing, true, Duration.ofSeconds(30), "alice");
    h.scheduler.runDue();
    assertThat(failing.state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.lastReason(failing))
        .isEqualTo("stopped by alice while ERROR; process group already gone");
  }

  @Test
  void stoppingTwiceIsAConflict() {
    EngineEntry entry = h.ready("m");
    entry.requestStarted();
    h.supervision.stop(entry, true, Duration.ofSeconds(30), "alice");

    assertThatThrownBy(() -> h.supervision.stop(entry, true, Duration.ofSeconds(30), "alice"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE))
        .hasMessage("engine " + entry.id() + " is already DRAINING");
    entry.requestFinished();
    h.scheduler.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> h.supervision.stop(entry, true, Duration.ofSeconds(30), "alice"))
        .hasMessage("cannot stop engine " + entry.id() + ": it is already STOPPED");
  }

  @Test
  void aStoppedEngineGivesItsPortBack() {
    EngineEntry entry = h.ready("m");
    int port = entry.record().port();
    h.supervision.stop(entry, false, Duration.ZERO, "alice");
    h.scheduler.runDue();

    assertThat(h.ports.reserve("eng-000000000099", port)).isEqualTo(port);
  }

  @Test
  void theExitOfAStoppedProcessIsNotAFailure() {
    EngineEntry entry = h.ready("m");
    h.supervision.stop(entry, false, Duration.ZERO, "alice");
    h.scheduler.advance(Duration.ofMinutes(1));

    assertThat(h.history(entry)).noneMatch(line -> line.contains("->ERROR"));
    assertThat(h.processes.launches()).hasSize(1);
  }

  @Test
  void shutdownStopsEveryEngineButKeepsWhatItShouldDo() {
    EngineEntry running = h.ready("a");
    EngineEntry draining = h.ready("b");
    draining.requestStarted();
    h.supervision.stop(draining, true, Duration.ofMinutes(5), "alice");

    CompletableFuture<Void> done = h.supervision.shutdown(false, Duration.ofSeconds(2));
    h.scheduler.advance(Duration.ofSeconds(3));

    assertThat(done).isDone();
    assertThat(running.state()).isEqualTo(EngineState.STOPPED);
    assertThat(running.record().desiredState())
        .as("comes back at the next start")
        .isEqualTo(DesiredState.RUNNING);
    assertThat(draining.state()).isEqualTo(EngineState.STOPPED);
    assertThat(draining.record().desiredState()).isEqualTo(DesiredState.STOPPED);
    assertThat(h.processes.alive()).isEmpty();
  }

  @Test
  void anEngineCreatedWhileTheGatewayShutsDownIsNotLaunched() {
    h.supervision.shutdown(false, Duration.ofSeconds(2));
    // e.g. a cluster command or an on-demand load that arrived after the stop of every engine
    EngineEntry late = h.launch("late");
    h.scheduler.advance(Duration.ofSeconds(3));

    assertThat(h.processes.launches()).as("no process outlives the gateway").isEmpty();
    assertThat(late.state()).isEqualTo(EngineState.STOPPED);
    assertThat(late.record().desiredState())
        .as("launched at the next start")
        .isEqualTo(DesiredState.RUNNING);
  }

  @Test
  void shutdownKeepingEnginesLeavesThemRunning() {
    EngineEntry entry = h.ready("a");
    CompletableFuture<Void> done = h.supervision.shutdown(true, Duration.ofSeconds(2));

    assertThat(done).isDone();
    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(h.process(entry).alive()).isTrue();
  }
}

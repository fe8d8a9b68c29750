package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.host.engine.ProcessIdentity;
import io.sage.host.fake.FakeProcessTable.FakeProcess;
import io.sage.host.process.ProcessLauncher;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reconciliation outcome at gateway start: what the registry says against what the process
 * table shows.
 */
class ReconcilerTest {
  private static final String CMD = "fake-engine --port 47500";
  @TempDir Path dir;
  SupervisionHarness h;
  int next;

  @BeforeEach
  void setUp() {
    h = new SupervisionHarness(dir);
    h.prober.otherwise(ProbeResult.passed());
  }

  private String id() {
    return String.format("eng-%012x", 0xa00 + next++);
  }

  /** An engine the previous gateway left in the store. */
  private EngineRecord stored(EngineState state, DesiredState desired, ProcessIdentity process) {
    return stored(state, desired, process, "fake");
  }

  private EngineRecord stored(
      EngineState state, DesiredState desired, ProcessIdentity process, String runtime) {
    String id = id();
    EngineSpec spec =
        new EngineSpec(
            "m",
            null,
            EngineKind.LLM,
            runtime,
            null,
            1,
            List.of(),
            false,
            null,
            List.of(),
            Map.of());
    Placement placement =
        runtime.equals("remote")
            ? Placement.remote("http://10.0.0.9:9000")
            : Placement.local("127.0.0.1", 47500 + next, List.of(), 0);
    EngineRecord record =
        EngineRecord.starting(id, spec, placement, "k", h.scheduler.now())
            .withState(state, h.scheduler.now())
            .withDesiredState(desired, h.scheduler.now())
            .withProcess(process, h.scheduler.now())
            .withLastError(
                state == EngineState.ERROR ? "process exited with code 1" : null,
                h.scheduler.now());
    h.store.insert(
        record, new EngineEvent(0, id, null, state, "before the restart", h.scheduler.now()));
    return record;
  }

  /** A process of the previous gateway's run that is still alive. */
  private FakeProcess survivor(String engineId) {
    return h.processes.start(CMD, Map.of(ProcessLauncher.ENGINE_ID_ENV, engineId), 0);
  }

  private static ProcessIdentity identity(FakeProcess p) {
    return new ProcessIdentity(p.pid, p.startTime, p.commandLine);
  }

  private EngineEntry reconcile(EngineRecord record) {
    h.registry.load();
    h.supervision.reconcile();
    h.start();
    h.scheduler.runDue();
    return h.registry.require(record.id());
  }

  private int eventsOf(EngineEntry entry) {
    return h.store.events(entry.id(), 100).size();
  }

  @Test
  void aLaunchIntentWithoutAPidAdoptsTheProcessStartedForIt() {
    String id = String.format("eng-%012x", 0xa00);
    ProcessIdentity intent = ProcessIdentity.intended(CMD, h.scheduler.now());
    h.scheduler.advance(Duration.ofMillis(3));
    FakeProcess started = survivor(id);
    EngineRecord record = stored(EngineState.STARTING, DesiredState.RUNNING, intent);

    EngineEntry entry = reconcile(record);
    h.scheduler.advance(Duration.ofSeconds(1));

    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(started.alive()).isTrue();
    assertThat(h.processes.launches()).as("adopted, not launched again").isEmpty();
    assertThat(entry.record().process().pid()).isEqualTo(started.pid);
    assertThat(h.store.find(id).orElseThrow().process())
        .isEqualTo(new ProcessIdentity(started.pid, started.startTime, CMD));
    assertThat(h.history(entry)).noneMatch(e -> e.contains("orphan"));
  }

  @Test
  void aProcessOlderThanTheIntentIsAnOrphanAndTheEngineIsRelaunched() {
    String id = String.format("eng-%012x", 0xa00);
    FakeProcess stale = survivor(id);
    h.scheduler.advance(Duration.ofSeconds(5));
    EngineRecord record =
        stored(
            EngineState.STARTING,
            DesiredState.RUNNING,
            ProcessIdentity.intended(CMD, h.scheduler.now()));

    EngineEntry entry = reconcile(record);

    assertThat(stale.alive()).isFalse();
    assertThat(h.history(entry))
        .anyMatch(
            e ->
                e.startsWith(
                    "STARTING->STARTING: gateway restarted; stopping orphan process group "
                        + stale.pid))
        .contains("STARTING->ERROR: " + Reconciler.GONE);
    assertThat(h.processes.launches()).hasSize(1);
    assertThat(h.processes.alive()).hasSize(1);
  }

  @Test
  void everyOtherProcessOfTheEngineIsStoppedAndWrittenAsAnEvent() {
    String id = String.format("eng-%012x", 0xa00);
    FakeProcess recorded = survivor(id);
    FakeProcess orphan = survivor(id);
    FakeProcess orphansWorker = h.processes.fork(orphan.pid);
    FakeProcess strangers =
        h.processes.start(CMD, Map.of(ProcessLauncher.ENGINE_ID_ENV, "eng-0000000000ff"), 0);
    EngineRecord record = stored(EngineState.READY, DesiredState.RUNNING, identity(recorded));

    EngineEntry entry = reconcile(record);

    assertThat(recorded.alive()).isTrue();
    assertThat(orphan.alive()).isFalse();
    assertThat(orphansWorker.alive()).isFalse();
    assertThat(strangers.alive()).as("another gateway's engine").isTrue();
    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(h.history(entry))
        .contains(
            "READY->READY: gateway restarted; stopping orphan process group "
                + orphan.pid
                + " (2 process(es), pid "
                + orphan.pid
                + "): it carries this engine's id but is not the process the registry adopted (pid "
                + recorded.pid
                + ")");
  }

  @Test
  void anOrphanThatIgnoresSigtermIsKilledAfterTheGracePeriod() {
    String id = String.format("eng-%012x", 0xa00);
    FakeProcess orphan = survivor(id).ignoringTerm();
    EngineRecord record = stored(EngineState.STOPPED, DesiredState.STOPPED, ProcessIdentity.NONE);

    reconcile(record);
    assertThat(orphan.alive()).isTrue();
    h.scheduler.advance(h.config.stopGracePeriod().plusSeconds(1));

    assertThat(orphan.alive()).isFalse();
    assertThat(h.processes.signals())
        .extracting(SentSignalView::of)
        .containsExactly(orphan.pid + " TERM", orphan.pid + " KILL");
  }

  @Test
  void aStopOfAStartingEngineInterruptedByTheCrashIsCarriedOut() {
    String id = String.format("eng-%012x", 0xa00);
    FakeProcess p = survivor(id);
    EngineRecord record = stored(EngineState.STARTING, DesiredState.STOPPED, identity(p));

    EngineEntry entry = reconcile(record);
    h.scheduler.advance(Duration.ofSeconds(1));

    assertThat(p.alive()).isFalse();
    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.lastReason(entry))
        .isEqualTo(Reconciler.STOP_FINISHED + "; process group stopped after SIGTERM");
  }

  /** A signal as "pgid SIGNAL". */
  private static final class SentSignalView {
    static String of(io.sage.host.fake.FakeProcessTable.SentSignal s) {
      return s.pgid() + " " + s.signal();
    }
  }

  @Test
  void aReadyEngineWhoseVeryProcessRunsIsAdoptedWithoutAnEvent() {
    String id = String.format("eng-%012x", 0xa00);
    FakeProcess p = survivor(id);
    EngineRecord record = stored(EngineState.READY, DesiredState.RUNNING, identity(p));

    EngineEntry entry = reconcile(record);
    h.scheduler.advance(Duration.ofSeconds(6));

    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(eventsOf(entry)).isEqualTo(1);
    assertThat(p.alive()).isTrue();
    assertThat(h.prober.probesOf(record.baseUrl())).as("watched like a launched one").isPositive();
    assertThat(h.logs.tail(entry.id(), 5))
        .contains("[sage] gateway restarted; adopted running process " + p.pid);
    assertThat(h.processes.launches()).isEmpty();
  }

  @Test
  void theAdoptedEnginesPortIsHeld() {
    String id = String.format("eng-%012x", 0xa00);
    FakeProcess p = survivor(id);
    EngineRecord record = stored(EngineState.READY, DesiredState.RUNNING, identity(p));
    reconcile(record);

    assertThat(h.ports.reacquire("eng-ffffffffffff", record.port())).isNotEqualTo(record.port());
  }

  @Test
  void anAdoptedProcessThatDiesIsAFailureLikeALaunchedOne() {
    String id = String.format("eng-%012x", 0xa00);
    FakeProcess p = survivor(id);
    EngineEntry entry = reconcile(stored(EngineState.READY, DesiredState.RUNNING, identity(p)));

    h.processes.exit(p.pid, 1);
    h.scheduler.runDue();

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError()).isEqualTo("process exited");
    h.awaitState(entry, EngineState.STARTING, Duration.ofSeconds(2));
  }

  @Test
  void aWrapperThatExecdAnotherProgramIsRecognisedByTheEngineIdInItsEnvironment() {
    String id = String.format("eng-%012x", 0xa00);
    FakeProcess p =
        h.processes.start("python -m real.engine", Map.of(ProcessLauncher.ENGINE_ID_ENV, id), 0);
    EngineRecord record =
        stored(
            EngineState.READY,
            DesiredState.RUNNING,
            new ProcessIdentity(p.pid, p.startTime, "/opt/wrapper.sh"));

    EngineEntry entry = reconcile(record);

    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(eventsOf(entry)).isEqualTo(1);
  }

  @Test
  void aRecycledPidIsNotAdopted() {
    // the pid is alive, but it started later: another program got the number
    FakeProcess stranger = h.processes.start(CMD, Map.of(), 0);
    EngineRecord record =
        stored(
            EngineState.READY,
            DesiredState.RUNNING,
            new ProcessIdentity(stranger.pid, stranger.startTime.minusSeconds(3600), CMD));

    EngineEntry entry = reconcile(record);

    assertThat(stranger.alive()).as("a stranger is never signalled").isTrue();
    assertThat(h.history(entry))
        .containsSubsequence(
            "READY->ERROR: gateway restarted; process gone",
            "ERROR->STARTING: gateway restarted; process gone");
    assertThat(h.processes.launches()).hasSize(1);
  }

  @Test
  void anotherCommandLineWithoutTheEngineIdIsNotAdopted() {
    FakeProcess stranger = h.processes.start("bash", Map.of(), 0);
    EngineRecord record =
        stored(
            EngineState.STARTING,
            DesiredState.RUNNING,
            new ProcessIdentity(stranger.pid, stranger.startTime, CMD));

    EngineEntry entry = reconcile(record);

    assertThat(h.history(entry)).contains("STARTING->ERROR: gateway restarted; process gone");
    assertThat(entry.state()).isIn(EngineState.STARTING, EngineState.READY);
  }

  @Test
  void aGoneProcessOfARunningEngineIsRelaunchedAtOnce() {
    EngineRecord record =
        stored(
            EngineState.READY,
            DesiredState.RUNNING,
            new ProcessIdentity(4242, h.scheduler.now(), CMD));

    EngineEntry entry = reconcile(record);

    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(entry.record().lastError()).isEqualTo("gateway restarted; process gone");
    assertThat(h.process(entry).alive()).isTrue();
    h.awaitState(entry, EngineState.READY, Duration.ofSeconds(1));
  }

  @Test
  void anInterruptedDrainWhoseProcessIsGoneEndsStopped() {
    EngineRecord record =
        stored(
            EngineState.DRAINING,
            DesiredState.STOPPED,
            new ProcessIdentity(4242, h.scheduler.now(), CMD));

    EngineEntry entry = reconcile(record);

    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.lastReason(entry)).isEqualTo("gateway restarted; process gone");
    assertThat(h.processes.launches()).isEmpty();
  }

  @Test
  void anInterruptedDrainWhoseProcessRunsIsFinished() {
    String id = String.format("eng-%012x", 0xa00);
    FakeProcess p = survivor(id);
    EngineRecord record = stored(EngineState.DRAINING, DesiredState.STOPPED, identity(p));

    EngineEntry entry = reconcile(record);

    assertThat(p.alive()).isFalse();
    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.lastReason(entry)).isEqualTo("drained; process group stopped after SIGTERM");
  }

  @Test
  void anEngineLeftInErrorThatShouldRunGetsTheRestartPolicy() {
    EngineRecord record = stored(EngineState.ERROR, DesiredState.RUNNING, ProcessIdentity.NONE);

    EngineEntry entry = reconcile(record);
    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    h.awaitState(entry, EngineState.STARTING, Duration.ofSeconds(2));

    assertThat(h.lastReason(entry))
        .isEqualTo(
            "automatic restart 1/5 after 1000 ms; previous failure: gateway restarted; engine was in ERROR: process exited with code 1");
  }

  @Test
  void aStopOfAFailedEngineInterruptedByTheCrashEndsStopped() {
    EngineRecord record = stored(EngineState.ERROR, DesiredState.STOPPED, ProcessIdentity.NONE);

    EngineEntry entry = reconcile(record);
    h.scheduler.advance(Duration.ofMinutes(2));

    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.lastReason(entry))
        .isEqualTo("gateway restarted; finishing the stop that was requested; process gone");
    assertThat(h.processes.launches()).isEmpty();
  }

  @Test
  void aStoppedEngineThatShouldRunIsRelaunched() {
    EngineRecord record = stored(EngineState.STOPPED, DesiredState.RUNNING, ProcessIdentity.NONE);

    EngineEntry entry = reconcile(record);

    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(h.lastReason(entry))
        .isEqualTo("gateway restarted; relaunching the engine that was running");
    assertThat(entry.record().restartCount()).isEqualTo(1);
  }

  @Test
  void aStoppedEngineThatShouldStayStoppedStaysStopped() {
    EngineRecord record = stored(EngineState.STOPPED, DesiredState.STOPPED, ProcessIdentity.NONE);

    EngineEntry entry = reconcile(record);
    h.scheduler.advance(Duration.ofMinutes(1));

    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(eventsOf(entry)).isEqualTo(1);
  }

  @Test
  void aLiveProcessOfAStoppedOrFailedEngineIsStopped() {
    FakeProcess ofStopped = survivor(String.format("eng-%012x", 0xa00));
    EngineRecord stopped = stored(EngineState.STOPPED, DesiredState.STOPPED, identity(ofStopped));
    FakeProcess ofFailed = survivor(String.format("eng-%012x", 0xa01));
    EngineRecord failed = stored(EngineState.ERROR, DesiredState.STOPPED, identity(ofFailed));

    reconcile(stopped);

    assertThat(ofStopped.alive()).isFalse();
    assertThat(ofFailed.alive()).isFalse();
    assertThat(h.registry.require(stopped.id()).state()).isEqualTo(EngineState.STOPPED);
    h.scheduler.runDue();
    assertThat(h.registry.require(failed.id()).state())
        .as("its stop was pending: it is carried out")
        .isEqualTo(EngineState.STOPPED);
  }

  @Test
  void childrenLeftBehindByADeadLeaderAreKilled() {
    FakeProcess leader = survivor(String.format("eng-%012x", 0xa00));
    FakeProcess worker = h.processes.fork(leader.pid);
    h.processes.exit(leader.pid, 0);
    EngineRecord record = stored(EngineState.READY, DesiredState.RUNNING, identity(leader));

    reconcile(record);

    h.scheduler.runDue();
    assertThat(worker.alive()).isFalse();
    assertThat(h.processes.signals()).extracting(s -> s.pgid()).contains(leader.pid);
    assertThat(h.history(h.registry.require(record.id())))
        .anyMatch(
            e ->
                e.startsWith(
                    "READY->READY: gateway restarted; stopping orphan process group "
                        + leader.pid));
  }

  @Test
  void aRemoteEngineThatWasUpIsProbedAgainAtOnce() {
    EngineRecord record =
        stored(EngineState.READY, DesiredState.RUNNING, ProcessIdentity.NONE, "remote");

    EngineEntry entry = reconcile(record);
    h.scheduler.advance(Duration.ofMillis(100));

    assertThat(h.prober.probesOf("http://10.0.0.9:9000")).isPositive();
    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(eventsOf(entry)).isEqualTo(1);
  }

  @Test
  void aRemoteEngineInErrorIsProbedAgain() {
    EngineRecord record =
        stored(EngineState.ERROR, DesiredState.RUNNING, ProcessIdentity.NONE, "remote");

    EngineEntry entry = reconcile(record);
    assertThat(h.lastReason(entry)).isEqualTo("gateway restarted; probing the remote engine again");
    h.awaitState(entry, EngineState.READY, Duration.ofSeconds(1));
  }

  @Test
  void aRemoteEngineThatWasDrainingEndsStoppedAndAStoppedOneStays() {
    EngineRecord draining =
        stored(EngineState.DRAINING, DesiredState.STOPPED, ProcessIdentity.NONE, "remote");
    EngineRecord stopped =
        stored(EngineState.STOPPED, DesiredState.STOPPED, ProcessIdentity.NONE, "remote");

    reconcile(draining);

    assertThat(h.registry.require(draining.id()).state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.lastReason(h.registry.require(draining.id())))
        .isEqualTo("gateway restarted while draining a remote engine");
    assertThat(h.registry.require(stopped.id()).state()).isEqualTo(EngineState.STOPPED);
  }

  @Test
  void oneEngineThatCannotBeReconciledDoesNotStopTheOthers() {
    EngineRecord broken =
        stored(EngineState.STOPPED, DesiredState.RUNNING, ProcessIdentity.NONE, "uninstalled");
    EngineRecord fine = stored(EngineState.STOPPED, DesiredState.RUNNING, ProcessIdentity.NONE);

    reconcile(fine);

    assertThat(h.registry.require(fine.id()).state()).isEqualTo(EngineState.STARTING);
    assertThat(h.registry.require(broken.id()).state())
        .as("its runtime is gone: it fails to launch and says why")
        .isEqualTo(EngineState.ERROR);
    assertThat(h.registry.require(broken.id()).record().lastError())
        .startsWith("launch failed: unknown runtime 'uninstalled'");
  }
}

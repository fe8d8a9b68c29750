package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.host.engine.ProcessIdentity;
import io.sage.host.store.InMemoryEngineStore;
import io.sage.host.supervision.RemoteJobSupervisionTest.JobRuntime;
import io.sage.host.supervision.RemoteJobSupervisionTest.ScriptedJobs;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.job.JobPhase;
import io.sage.spi.job.JobStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway start for engines that are scheduler jobs: every state and job phase, on the manual
 * scheduler and the scripted scheduler of {@link RemoteJobSupervisionTest}.
 */
class RemoteJobReconciliationTest {
  @TempDir Path dir;
  final JobRuntime slurm = new JobRuntime();
  ScriptedJobs jobs;
  SupervisionHarness h;

  @BeforeEach
  void setUp() {
    h = new SupervisionHarness(dir, SupervisionConfig.defaults(), new InMemoryEngineStore(), slurm);
    h.runtime.startupTimeout(Duration.ofSeconds(30));
    jobs = slurm.jobs;
  }

  private static EngineSpec spec() {
    return new EngineSpec(
        "m",
        null,
        EngineKind.LLM,
        "slurm",
        null,
        1,
        List.of(),
        false,
        null,
        List.of(),
        Map.of("partition", "debug"));
  }

  private EngineRecord stored(EngineState state, DesiredState desired, ProcessIdentity process) {
    String id = "eng-00000000c001";
    Instant now = h.scheduler.now();
    EngineRecord record =
        EngineRecord.starting(id, spec(), Placement.remote("http://node1:41000"), "k", now)
            .withState(state, now)
            .withDesiredState(desired, now)
            .withProcess(process, now);
    h.store.insert(record, new EngineEvent(0, id, null, state, "before the restart", now));
    return record;
  }

  private EngineRecord stored(EngineState state, String handle) {
    return stored(state, DesiredState.RUNNING, ProcessIdentity.job("job:" + handle));
  }

  private EngineEntry reconcile(EngineRecord record) {
    h.registry.load();
    h.supervision.reconcile();
    h.start();
    h.scheduler.runDue();
    return h.registry.require(record.id());
  }

  private List<String> notes(EngineEntry entry) {
    return h.logs.tail(entry.id(), 50);
  }

  @Test
  void aQueuedJobIsAdoptedAndStaysStartingUntilItRuns() {
    jobs.jobs.put("80", ScriptedJobs.queued("Resources"));
    EngineEntry entry = reconcile(stored(EngineState.STARTING, "80"));
    h.scheduler.advance(Duration.ofSeconds(3));

    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(jobs.submitted).isEmpty();
    assertThat(jobs.cancelled).isEmpty();
    assertThat(notes(entry)).contains("[sage] gateway restarted; adopted slurm job 80 (PENDING)");

    jobs.jobs.put("80", ScriptedJobs.running("node2", 41001));
    h.prober.healthy("http://node2:41001");
    h.awaitState(entry, EngineState.READY, Duration.ofSeconds(3));
    assertThat(entry.record().baseUrl()).isEqualTo("http://node2:41001");
    assertThat(jobs.submitted).isEmpty();
  }

  @Test
  void aJobOfAnUnreachableSchedulerIsAdoptedNotResubmitted() {
    jobs.jobs.put("81", JobStatus.unreachable("squeue: connection refused"));
    EngineEntry entry = reconcile(stored(EngineState.READY, "81"));
    h.scheduler.advance(Duration.ofSeconds(2));

    assertThat(jobs.submitted).isEmpty();
    assertThat(entry.record().process().commandLine()).isEqualTo("job:81");
    assertThat(notes(entry))
        .contains("[sage] gateway restarted; adopted slurm job 81 (scheduler unreachable)");
  }

  @Test
  void aJobThatEndedWhileTheGatewayWasAwayIsResubmittedWithHowItEnded() {
    jobs.jobs.put(
        "82", new JobStatus(JobPhase.ENDED, "FAILED", "NonZeroExitCode", "1:0", null, null));
    EngineEntry entry = reconcile(stored(EngineState.READY, "82"));

    h.scheduler.advanceUntil(() -> jobs.submitted.size() == 1, Duration.ofSeconds(2));
    assertThat(h.history(entry))
        .contains("READY->ERROR: gateway restarted; job gone (job 82: FAILED, exit code 1:0)");
    assertThat(notes(entry))
        .contains("[sage] gateway restarted; job gone (job 82: FAILED, exit code 1:0)");
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(entry.record().process().commandLine()).isEqualTo("job:1");
  }

  @Test
  void aJobTheSchedulerNoLongerKnowsIsNamedWithTheSchedulersReason() {
    EngineEntry entry = reconcile(stored(EngineState.STARTING, "83"));

    h.scheduler.advanceUntil(() -> jobs.submitted.size() == 1, Duration.ofSeconds(2));
    assertThat(h.history(entry))
        .contains("STARTING->ERROR: gateway restarted; job gone (job 83: unknown job)");
  }

  @Test
  void anEngineWithoutARecordedJobIsSubmittedAfresh() {
    EngineEntry entry =
        reconcile(stored(EngineState.STARTING, DesiredState.RUNNING, ProcessIdentity.NONE));

    h.scheduler.advanceUntil(() -> jobs.submitted.size() == 1, Duration.ofSeconds(2));
    assertThat(h.history(entry)).contains("STARTING->ERROR: " + RemoteJobReconciliation.GONE);
    assertThat(entry.record().process().commandLine()).isEqualTo("job:1");
  }

  @Test
  void aGoneJobOfAnEngineThatShouldNotRunIsNotResubmitted() {
    EngineEntry entry =
        reconcile(stored(EngineState.READY, DesiredState.STOPPED, ProcessIdentity.job("job:84")));
    h.scheduler.advance(Duration.ofSeconds(5));

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError())
        .isEqualTo("gateway restarted; job gone (job 84: unknown job)");
    assertThat(jobs.submitted).isEmpty();
  }

  @Test
  void anInterruptedDrainEndsWithACancel() {
    jobs.jobs.put("85", ScriptedJobs.running("node1", 41000));
    EngineEntry entry = reconcile(stored(EngineState.DRAINING, "85"));

    h.awaitState(entry, EngineState.STOPPED, Duration.ofSeconds(5));
    assertThat(jobs.cancelled).containsExactly("85");
    assertThat(h.lastReason(entry)).isEqualTo("gateway restarted while draining; job 85 cancelled");
    h.scheduler.advance(Duration.ofSeconds(5));
    assertThat(jobs.submitted).isEmpty();
  }

  @Test
  void aJobLeftBehindByAStoppedEngineIsCancelled() {
    jobs.jobs.put("86", ScriptedJobs.running("node1", 41000));
    EngineEntry entry =
        reconcile(stored(EngineState.STOPPED, DesiredState.STOPPED, ProcessIdentity.job("job:86")));
    h.scheduler.advanceUntil(() -> !jobs.cancelled.isEmpty(), Duration.ofSeconds(5));

    assertThat(jobs.cancelled).containsExactly("86");
    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(jobs.submitted).isEmpty();
  }

  @Test
  void anErrorEngineWithoutAJobHasNothingToCancelAndItsAcknowledgedStopIsFinished() {
    EngineEntry entry =
        reconcile(stored(EngineState.ERROR, DesiredState.STOPPED, ProcessIdentity.NONE));
    h.scheduler.advance(Duration.ofSeconds(5));

    assertThat(jobs.cancelled).isEmpty();
    assertThat(jobs.submitted).isEmpty();
    // a stop acknowledged before the gateway restarted ends STOPPED (issue 15: stop wins)
    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
  }
}

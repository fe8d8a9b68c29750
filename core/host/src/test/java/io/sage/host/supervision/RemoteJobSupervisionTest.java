package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.host.engine.ProcessIdentity;
import io.sage.host.fake.FakeRuntime;
import io.sage.host.store.InMemoryEngineStore;
import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.LaunchCommand;
import io.sage.spi.job.JobPhase;
import io.sage.spi.job.JobStatus;
import io.sage.spi.job.RemoteJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Engines as scheduler jobs, on the manual scheduler and a scripted scheduler: time moves only when
 * the test advances it, nothing sleeps.
 */
class RemoteJobSupervisionTest {
  private static final Duration POLL = Duration.ofSeconds(1);

  /** A scheduler whose jobs are what the test says; the jobs run the {@code fake} runtime. */
  static final class ScriptedJobs implements RemoteJobs {
    final List<String> submitted = new ArrayList<>();
    final List<String> cancelled = new ArrayList<>();
    final List<LaunchCommand> commands = new ArrayList<>();
    final Map<String, JobStatus> jobs = new ConcurrentHashMap<>();
    int next = 1;

    @Override
    public String innerRuntime(EngineSpec spec) {
      return "fake";
    }

    @Override
    public Set<String> schedulerOptions() {
      return Set.of("partition");
    }

    @Override
    public synchronized String submit(EngineContext context, LaunchCommand command, Path logFile) {
      String handle = Integer.toString(next++);
      submitted.add(handle);
      commands.add(command);
      jobs.put(handle, queued("Priority"));
      return handle;
    }

    @Override
    public JobStatus observe(String handle, String engineId) {
      return jobs.getOrDefault(handle, JobStatus.gone("unknown job"));
    }

    @Override
    public synchronized String cancel(String handle, String engineId, Duration grace) {
      cancelled.add(handle);
      jobs.put(handle, new JobStatus(JobPhase.ENDED, "CANCELLED", "", "0:15", null, null));
      return "job " + handle + " cancelled";
    }

    @Override
    public Duration pollInterval() {
      return POLL;
    }

    static JobStatus queued(String reason) {
      return new JobStatus(JobPhase.QUEUED, "PENDING", reason, "", null, null);
    }

    static JobStatus running(String node, int port) {
      return new JobStatus(JobPhase.RUNNING, "RUNNING", "", "", node, port);
    }
  }

  /** The job runtime: a fake whose engines are jobs of {@link ScriptedJobs}. */
  static final class JobRuntime extends FakeRuntime {
    final ScriptedJobs jobs = new ScriptedJobs();

    JobRuntime() {
      super("slurm");
    }

    @Override
    public Optional<RemoteJobs> remoteJobs() {
      return Optional.of(jobs);
    }
  }

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

  private EngineEntry launch() {
    String id = "eng-00000000a001";
    int port = h.ports.allocate(id);
    EngineEntry entry =
        h.registry.create(
            EngineRecord.starting(
                id,
                spec(),
                Placement.local("127.0.0.1", port, List.of(), 0),
                "sk-engine",
                h.scheduler.now()),
            "launched by test");
    h.start();
    h.supervision.launch(entry);
    h.scheduler.runDue();
    return entry;
  }

  private EngineRecord stored(EngineState state, String handle) {
    String id = "eng-00000000b001";
    Instant now = h.scheduler.now();
    EngineRecord record =
        EngineRecord.starting(id, spec(), Placement.remote("http://node1:41000"), "k", now)
            .withState(state, now)
            .withDesiredState(DesiredState.RUNNING, now)
            .withProcess(ProcessIdentity.job("job:" + handle), now);
    h.store.insert(record, new EngineEvent(0, id, null, state, "before the restart", now));
    return record;
  }

  private EngineEntry reconcile(EngineRecord record) {
    h.registry.load();
    h.supervision.reconcile();
    h.start();
    h.scheduler.runDue();
    return h.registry.require(record.id());
  }

  @Test
  void aQueuedJobShowsTheReasonThenRunsAndItsProbesMakeItReady() {
    EngineEntry entry = launch();

    assertThat(jobs.submitted).containsExactly("1");
    assertThat(entry.record().process().commandLine()).isEqualTo("job:1");
    assertThat(entry.record().process().pid()).isZero();
    assertThat(jobs.commands.get(0).argv()).contains(Integer.toString(RemoteJobs.PORT_PLACEHOLDER));
    h.scheduler.advance(Duration.ofSeconds(5));
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(entry.record().lastError()).isEqualTo("slurm job 1 is PENDING (Priority)");
    assertThat(entry.record().baseUrl()).isNull();

    jobs.jobs.put("1", ScriptedJobs.running("node1", 41000));
    h.prober.healthy("http://node1:41000");
    h.awaitState(entry, EngineState.READY, Duration.ofSeconds(3));

    assertThat(entry.record().baseUrl()).isEqualTo("http://node1:41000");
    assertThat(entry.record().port()).isEqualTo(41000);
    assertThat(h.prober.probesOf("http://node1:41000")).isPositive();
  }

  @Test
  void probesStayOffUntilTheJobReportsItsEndpoint() {
    EngineEntry entry = launch();
    jobs.jobs.put("1", new JobStatus(JobPhase.RUNNING, "RUNNING", "", "", null, null));
    h.scheduler.advance(Duration.ofSeconds(3));

    assertThat(entry.record().lastError()).contains("waiting for it to report its endpoint");
    assertThat(entry.record().baseUrl()).isNull();
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
  }

  @Test
  void aJobThatEndsIsErrorWithItsStateAndExitCodeThenANewJobIsSubmitted() {
    EngineEntry entry = launch();
    jobs.jobs.put("1", ScriptedJobs.running("node1", 41000));
    h.prober.healthy("http://node1:41000");
    h.awaitState(entry, EngineState.READY, Duration.ofSeconds(3));

    jobs.jobs.put(
        "1", new JobStatus(JobPhase.ENDED, "FAILED", "NonZeroExitCode", "1:0", null, null));
    h.awaitState(entry, EngineState.ERROR, Duration.ofSeconds(3));
    assertThat(h.lastReason(entry))
        .isEqualTo("slurm job 1 ended: FAILED, exit code 1:0, reason NonZeroExitCode");

    h.scheduler.advanceUntil(() -> jobs.submitted.size() == 2, Duration.ofSeconds(5));
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(entry.record().process().commandLine()).isEqualTo("job:2");
  }

  @Test
  void theStartupTimeoutCountsFromRunningNotFromSubmission() {
    EngineEntry entry = launch();
    h.scheduler.advance(Duration.ofSeconds(100)); // queued far longer than the 30 s timeout
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);

    jobs.jobs.put("1", ScriptedJobs.running("node1", 41000));
    h.prober.failing("http://node1:41000", "connection refused");
    h.scheduler.advance(Duration.ofSeconds(29));
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);

    h.awaitState(entry, EngineState.ERROR, Duration.ofSeconds(3));
    assertThat(h.lastReason(entry)).startsWith("startup timeout: not ready after 30 s");
    assertThat(jobs.cancelled).contains("1");
  }

  @Test
  void aJobIsNotSubmittedOnceTheGatewayShutsDown() {
    h.supervision.shutdown(false, Duration.ofSeconds(2));
    EngineEntry late = launch();
    h.scheduler.advance(Duration.ofSeconds(3));

    assertThat(jobs.submitted).as("no job runs on unwatched").isEmpty();
    assertThat(late.state()).isEqualTo(EngineState.STOPPED);
    assertThat(late.record().desiredState()).isEqualTo(DesiredState.RUNNING);
    assertThat(h.lastReason(late)).contains("gateway shutting down");
  }

  @Test
  void stoppingCancelsTheJob() {
    EngineEntry entry = launch();
    jobs.jobs.put("1", ScriptedJobs.running("node1", 41000));
    h.prober.healthy("http://node1:41000");
    h.awaitState(entry, EngineState.READY, Duration.ofSeconds(3));

    var stopped = h.supervision.stop(entry, true, Duration.ofSeconds(5), "test");
    h.scheduler.advanceUntil(stopped::isDone, Duration.ofSeconds(5));

    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(jobs.cancelled).containsExactly("1");
    assertThat(h.lastReason(entry)).contains("job 1 cancelled");
    h.scheduler.advance(Duration.ofSeconds(5));
    assertThat(jobs.submitted).containsExactly("1");
  }

  @Test
  void aJobStillRunningAfterARestartIsAdoptedByItsJobIdNotResubmitted() {
    jobs.jobs.put("77", ScriptedJobs.running("node1", 41000));
    h.prober.healthy("http://node1:41000");
    EngineEntry entry = reconcile(stored(EngineState.READY, "77"));

    h.scheduler.advance(Duration.ofSeconds(2));
    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(jobs.submitted).isEmpty();
    assertThat(entry.record().process().commandLine()).isEqualTo("job:77");
    assertThat(h.prober.probesOf("http://node1:41000")).isPositive();

    jobs.jobs.put("77", new JobStatus(JobPhase.ENDED, "TIMEOUT", "", "0:0", null, null));
    h.awaitState(entry, EngineState.ERROR, Duration.ofSeconds(3));
    assertThat(h.lastReason(entry)).contains("slurm job 77 ended: TIMEOUT");
  }

  @Test
  void aJobThatVanishedWhileTheGatewayWasAwayIsResubmitted() {
    EngineEntry entry = reconcile(stored(EngineState.READY, "78"));

    h.scheduler.advanceUntil(() -> jobs.submitted.size() == 1, Duration.ofSeconds(2));
    assertThat(h.history(entry))
        .anySatisfy(
            line -> assertThat(line).startsWith("READY->ERROR: gateway restarted; job gone"));
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(entry.record().process().commandLine()).isEqualTo("job:1");
  }
}

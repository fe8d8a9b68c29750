package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.HostOptions;
import io.sage.host.process.EngineLogs;
import io.sage.spi.engine.HealthProbe;
import io.sage.spi.job.JobPhase;
import io.sage.spi.job.JobStatus;
import io.sage.spi.job.RemoteJobs;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateway start for engines that run as scheduler jobs: a job still queued or running is adopted by
 * its handle (not resubmitted); a job that vanished is resubmitted with the reason {@value #GONE};
 * an interrupted drain ends with a cancel.
 */
final class RemoteJobReconciliation {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteJobReconciliation.class);
  static final String GONE = "gateway restarted; job gone";

  private final RemoteJobSupervision jobs;
  private final EngineRegistry registry;
  private final EngineLogs logs;
  private final EngineFailures failures;

  RemoteJobReconciliation(RemoteJobSupervision jobs, EngineFailures failures) {
    this.jobs = jobs;
    this.registry = jobs.parts.registry();
    this.logs = jobs.parts.logs();
    this.failures = failures;
  }

  /**
   * Reconciliation hook at gateway start: adopts the job of a job engine when the scheduler still
   * has it queued or running, resubmits when it is gone. Returns false for engines of other
   * runtimes and for ERROR/STOPPED engines (the reconciler's usual handling follows; a job left
   * behind by those is cancelled here first).
   */
  boolean reconcile(EngineEntry entry) {
    EngineRecord record = entry.record();
    Optional<RemoteJobs> remote = jobs.jobsOf(record);
    if (remote.isEmpty()) {
      return false;
    }
    RemoteJobs scheduler = remote.get();
    String handle = RemoteJobSupervision.handleOf(record);
    SupervisedEngine engine = jobs.parts.engines().of(entry);
    switch (record.state()) {
      case STARTING, READY -> {
        JobStatus status =
            handle == null
                ? JobStatus.gone("no job recorded")
                : scheduler.observe(handle, entry.id());
        switch (status.phase()) {
          case QUEUED, RUNNING, UNREACHABLE -> adopt(engine, scheduler, handle, status);
          case ENDED, GONE -> {
            String reason = GONE + (handle == null ? "" : " (job " + handle + ": " + how(status));
            logs.note(entry.id(), reason);
            failures.failAndRelaunch(entry, record.state(), reason);
          }
        }
        return true;
      }
      case DRAINING -> {
        jobs.cancel(engine)
            .thenAccept(
                how ->
                    registry.transitionIf(
                        entry,
                        EngineState.DRAINING,
                        EngineState.STOPPED,
                        "gateway restarted while draining; " + how,
                        r -> r));
        return true;
      }
      case ERROR, STOPPED -> {
        if (handle != null) {
          jobs.cancel(engine);
        }
        return false;
      }
    }
    return false;
  }

  private static String how(JobStatus status) {
    return (status.schedulerState().isEmpty()
            ? status.reason()
            : status.schedulerState() + ", exit code " + status.exitCode())
        + ")";
  }

  private void adopt(
      SupervisedEngine engine, RemoteJobs scheduler, String handle, JobStatus status) {
    EngineEntry entry = engine.entry;
    EngineRecord record = entry.record();
    long generation = engine.nextGeneration();
    engine.stopping = false;
    jobs.configure(
        engine,
        RemoteJobSpecs.innerFactory(
                jobs.parts.plugins(), scheduler, HostOptions.forRuntime(record.spec()))
            .orElse(null),
        status.phase() == JobPhase.RUNNING ? jobs.parts.scheduler().now() : null);
    engine.probe = HealthProbe.standard(record.spec().kind());
    String how =
        "gateway restarted; adopted "
            + record.spec().runtime()
            + " job "
            + handle
            + " ("
            + (status.phase() == JobPhase.UNREACHABLE
                ? "scheduler unreachable"
                : status.schedulerState())
            + ")";
    logs.note(entry.id(), how);
    LOG.info("engine {}: {}", entry.id(), how);
    jobs.watch(engine, handle, scheduler, generation);
  }
}

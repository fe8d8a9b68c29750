package io.sage.engine.slurm;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.LaunchCommand;
import io.sage.spi.job.JobPhase;
import io.sage.spi.job.JobStatus;
import io.sage.spi.job.RemoteJobs;
import io.sage.spi.job.SchedulerStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Engines as Slurm jobs, through sbatch, scontrol, scancel and sinfo. */
final class SlurmJobs implements RemoteJobs {
  static final int[] DEFAULT_PORTS = {20000, 29999};

  private final SlurmCli cli;

  SlurmJobs(SlurmCli cli) {
    this.cli = cli;
  }

  static String jobName(String engineId) {
    return "sage-" + engineId;
  }

  @Override
  public String innerRuntime(EngineSpec spec) {
    return spec.option(SlurmOptions.INNER_RUNTIME, SlurmOptions.DEFAULT_INNER);
  }

  @Override
  public Set<String> schedulerOptions() {
    return SlurmOptions.NAMES_OF_OPTIONS;
  }

  @Override
  public Duration pollInterval() {
    return cli.settings().pollInterval();
  }

  @Override
  public String submit(EngineContext context, LaunchCommand command, Path logFile) {
    EngineSpec spec = context.spec();
    String range = spec.options().get(SlurmOptions.PORT_RANGE);
    int[] ports = range == null ? DEFAULT_PORTS : SlurmOptions.portRange(range);
    String script =
        JobScript.build(
            context.engineId(),
            command,
            ports,
            cli.settings().command("scontrol"),
            spec.options().get(SlurmOptions.WORK_DIR));
    String outputDir = spec.options().get(SlurmOptions.OUTPUT_DIR);
    String output =
        outputDir == null
            ? logFile.toString()
            : outputDir + "/" + jobName(context.engineId()) + "-%j.log";
    List<String> args = new ArrayList<>();
    args.add("--parsable");
    args.add("--job-name=" + jobName(context.engineId()));
    args.add("--output=" + output);
    args.add("--error=" + output);
    args.add("--open-mode=append");
    args.add("--export=ALL");
    args.addAll(SlurmOptions.sbatchArgs(spec));
    SlurmCli.Result result;
    try {
      result = cli.run("sbatch", args, script);
    } catch (SlurmCli.Unreachable e) {
      throw new SageException(ErrorCode.LAUNCH_FAILED, "Slurm unreachable: " + e.getMessage());
    }
    String id = result.out().strip().split(";")[0];
    if (!result.ok() || !id.matches("\\d+")) {
      throw new SageException(ErrorCode.LAUNCH_FAILED, "sbatch failed: " + result.message());
    }
    return id;
  }

  /**
   * {@inheritDoc} A job that is COMPLETING (its processes are being reaped, the final state is not
   * known yet) is asked again for up to the command timeout, so that ERROR reasons carry the final
   * state (CANCELLED, FAILED, TIMEOUT...) rather than COMPLETING.
   */
  @Override
  public JobStatus observe(String handle, String engineId) {
    long deadline = System.nanoTime() + cli.settings().commandTimeout().toNanos();
    JobStatus status = observeOnce(handle, engineId);
    while ("COMPLETING".equals(status.schedulerState()) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return status;
      }
      status = observeOnce(handle, engineId);
    }
    return status;
  }

  private JobStatus observeOnce(String handle, String engineId) {
    if (!handle.matches("\\d+")) {
      return JobStatus.gone("not a Slurm job id: " + handle);
    }
    try {
      SlurmCli.Result r = cli.run("scontrol", List.of("--oneliner", "show", "job", handle));
      if (!r.ok()) {
        return r.message().contains("Invalid job id")
            ? JobStatus.gone("Slurm job " + handle + " is unknown to Slurm")
            : JobStatus.unreachable("scontrol show job " + handle + ": " + r.message());
      }
      return SlurmJobInfo.status(r.out(), jobName(engineId));
    } catch (SlurmCli.Unreachable e) {
      return JobStatus.unreachable(e.getMessage());
    }
  }

  @Override
  public String cancel(String handle, String engineId, Duration grace) {
    JobStatus now = observe(handle, engineId);
    switch (now.phase()) {
      case ENDED, GONE -> {
        return "Slurm job " + handle + " had already ended" + ended(now);
      }
      case RUNNING -> {
        scancel(List.of("--signal=TERM", "--full", handle));
        JobStatus after = await(handle, engineId, grace);
        if (isOver(after)) {
          return "Slurm job " + handle + " ended after SIGTERM" + ended(after);
        }
        scancel(List.of("--signal=KILL", "--full", handle));
      }
      case QUEUED, UNREACHABLE -> {
        // a queued job has nothing to signal; an unreachable one gets the plain cancel below
      }
    }
    scancel(List.of(handle));
    JobStatus last = await(handle, engineId, Duration.ofSeconds(30));
    if (isOver(last)) {
      return "Slurm job " + handle + " cancelled" + ended(last);
    }
    return "Slurm did not confirm that job "
        + handle
        + " ended ("
        + last.phase()
        + (last.reason().isEmpty() ? "" : ": " + last.reason())
        + "); cancel it with scancel "
        + handle;
  }

  private static boolean isOver(JobStatus status) {
    return status.phase() == JobPhase.ENDED || status.phase() == JobPhase.GONE;
  }

  private static String ended(JobStatus status) {
    return status.schedulerState().isEmpty()
        ? ""
        : " (" + status.schedulerState() + ", exit code " + status.exitCode() + ")";
  }

  private void scancel(List<String> args) {
    try {
      cli.run("scancel", args);
    } catch (SlurmCli.Unreachable e) {
      // observed below: the caller reports that Slurm did not confirm the end
    }
  }

  private JobStatus await(String handle, String engineId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JobStatus status;
    do {
      status = observe(handle, engineId);
      if (isOver(status)) {
        return status;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return status;
      }
    } while (System.nanoTime() < deadline);
    return status;
  }

  @Override
  public SchedulerStatus schedulerStatus() {
    try {
      SlurmCli.Result r =
          cli.run(
              "sinfo",
              List.of("--noheader", "--Node", "--Format=NodeList:|,StateLong:|,Gres:|,GresUsed:"));
      if (!r.ok()) {
        return new SchedulerStatus(false, "sinfo: " + r.message(), List.of());
      }
      List<SchedulerStatus.Node> nodes = new ArrayList<>();
      for (String line : r.out().split("\n")) {
        String[] cols = line.split("\\|", -1);
        if (cols.length >= 4) {
          nodes.add(
              new SchedulerStatus.Node(
                  cols[0].strip(), cols[1].strip(), cols[2].strip(), cols[3].strip()));
        }
      }
      return new SchedulerStatus(true, "Slurm reachable; " + nodes.size() + " node(s)", nodes);
    } catch (SlurmCli.Unreachable e) {
      return new SchedulerStatus(false, "Slurm unreachable: " + e.getMessage(), List.of());
    }
  }

  @Override
  public List<String> checkWithScheduler(EngineSpec spec) {
    List<String> args = new ArrayList<>();
    args.add("--test-only");
    args.add("--job-name=sage-check");
    args.add("--output=/dev/null");
    args.addAll(SlurmOptions.sbatchArgs(spec));
    args.add("--wrap=true");
    SlurmCli.Result r;
    try {
      r = cli.run("sbatch", args);
    } catch (SlurmCli.Unreachable e) {
      return List.of(); // the launch reports it; a request is not wrong because Slurm is down
    }
    if (r.ok()) {
      return List.of();
    }
    return List.of(explain(r.message(), spec));
  }

  /** Slurm's refusal of a test submission, as a sentence naming the field. */
  static String explain(String message, EngineSpec spec) {
    String m = message.toLowerCase(java.util.Locale.ROOT);
    if (m.contains("invalid partition")) {
      return "partition '"
          + spec.option("partition", "")
          + "' is not a partition of this Slurm cluster (Slurm: "
          + message
          + ")";
    }
    if (m.contains("invalid account")) {
      return "account '" + spec.option("account", "") + "' is refused by Slurm (" + message + ")";
    }
    if (m.contains("qos")) {
      return "qos '" + spec.option("qos", "") + "' is refused by Slurm (" + message + ")";
    }
    if (m.contains("time limit")) {
      return "time_limit '"
          + spec.option("time_limit", "")
          + "' is refused by Slurm ("
          + message
          + ")";
    }
    if (m.contains("feature")) {
      return "constraint '"
          + spec.option("constraint", "")
          + "' is refused by Slurm ("
          + message
          + ")";
    }
    if (m.contains("gres") || m.contains("generic resource")) {
      return "tensor_parallel_size "
          + spec.tensorParallelSize()
          + " asks for gpu:"
          + spec.tensorParallelSize()
          + ", which Slurm cannot give ("
          + message
          + ")";
    }
    if (m.contains("node configuration is not available")) {
      return "no node can ever run this job: tensor_parallel_size, cpus_per_task, mem or constraint"
          + " ask for more than a node has (Slurm: "
          + message
          + ")";
    }
    return "Slurm refused the job: " + message;
  }
}

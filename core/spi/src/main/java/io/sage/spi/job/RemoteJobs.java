package io.sage.spi.job;

import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.LaunchCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Engines that run as jobs of an external scheduler (Slurm, ...) instead of as children of the
 * host: the scheduler places them, the host submits, observes, cancels and re-adopts them by the
 * handle the scheduler gave. A runtime offers this through {@link
 * io.sage.spi.engine.EngineRuntimeFactory#remoteJobs()}; the host then never calls {@code
 * create(...)} of that factory.
 *
 * <p>The job runs the command of an <em>inner</em> runtime ({@code vllm}, {@code mock}, ...) that
 * the host builds with that runtime's own factory: the host validates the inner options with the
 * inner runtime, asks it for its {@link LaunchCommand} with port {@link #PORT_PLACEHOLDER}, and
 * hands the command to {@link #submit}. The job chooses the real port on the node where it lands
 * and reports it back through {@link #observe}.
 *
 * <p>Implementations must be thread-safe. Every method that talks to the scheduler must return
 * within its own command timeout, also when the scheduler is down: a slow scheduler must never hang
 * the gateway.
 */
public interface RemoteJobs {

  /** The port number the inner runtime's command is built with; {@link #submit} replaces it. */
  int PORT_PLACEHOLDER = 65000;

  /**
   * The runtime whose command the job runs for this spec (e.g. {@code vllm}). Called by the host on
   * a request thread (validation) and on supervision worker threads (launch); must not block.
   */
  String innerRuntime(EngineSpec spec);

  /**
   * Option names that belong to the scheduler (partition, account, ...); the others are the inner
   * runtime's. Called on any thread; must not block.
   */
  Set<String> schedulerOptions();

  /**
   * Submits one job for one launch of an engine. Called by the host on a supervision worker thread
   * once per launch, after the spec was validated; blocks at most for the command timeout.
   *
   * @param context the engine's context (id, spec with every option, key, work directory)
   * @param command the inner runtime's command, its port given as {@link #PORT_PLACEHOLDER}
   * @param logFile the engine's log file, for the job's output (tailed by {@code logs})
   * @return the scheduler's handle of the job (the Slurm job id), stored with the engine
   * @throws io.sage.spi.SageException {@code LAUNCH_FAILED} with the scheduler's message
   */
  String submit(EngineContext context, LaunchCommand command, Path logFile);

  /**
   * What the scheduler says about a job now. Called by the host on its job-watch threads every
   * {@link #pollInterval()} for each engine it watches, and once at gateway start to adopt the jobs
   * recorded before. Must not throw for scheduler failures: return {@link JobStatus#unreachable}.
   *
   * @param handle the handle {@link #submit} returned
   * @param engineId the engine the job must belong to; a job with that handle that runs something
   *     else is {@link JobPhase#GONE}
   */
  JobStatus observe(String handle, String engineId);

  /**
   * Asks the scheduler to end a job: SIGTERM to the engine, then SIGKILL when it is still running
   * after {@code grace}. Called by the host on a supervision worker thread when it stops or fails
   * the engine; may block for up to {@code grace} plus the command timeouts. The host keeps calling
   * {@link #observe} until the job is ENDED or GONE.
   *
   * @return a sentence saying how it ended, for the engine's state reason
   */
  String cancel(String handle, String engineId, Duration grace);

  /** How often the host observes each job. Called once per engine watch; must not block. */
  default Duration pollInterval() {
    return Duration.ofSeconds(5);
  }

  /**
   * The scheduler as a whole, for the gateway's status page: reachable or not, and its nodes' GPUs.
   * Called by the host on a request thread; blocks at most for the command timeout.
   */
  default SchedulerStatus schedulerStatus() {
    return new SchedulerStatus(true, "no status reported", java.util.List.of());
  }

  /**
   * Checks the scheduler options of a spec against the scheduler itself (unknown partition, ...),
   * after {@code validate(...)} of the factory accepted their syntax. Called by the host on a
   * request thread before anything is stored; blocks at most for the command timeout. Returns every
   * problem, each a sentence naming the field.
   */
  default java.util.List<String> checkWithScheduler(EngineSpec spec) {
    return java.util.List.of();
  }
}

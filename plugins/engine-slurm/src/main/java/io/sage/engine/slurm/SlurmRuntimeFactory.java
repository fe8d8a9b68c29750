package io.sage.engine.slurm;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.job.RemoteJobs;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.pf4j.Extension;

/**
 * Runtime {@code slurm}: each launch of an engine is a Slurm batch job that runs the command of an
 * inner runtime ({@code vllm} by default, {@code mock} for tests and demos) on the node Slurm
 * chooses, with {@code --gres=gpu:<tensor_parallel_size>}. The host submits, watches, cancels and
 * re-adopts the jobs through {@link #remoteJobs()}.
 */
@Extension
public final class SlurmRuntimeFactory implements EngineRuntimeFactory {
  public static final String KIND = "slurm";

  private final SlurmJobs jobs;

  public SlurmRuntimeFactory() {
    this(System::getenv);
  }

  /** For tests: the settings' environment ({@code SAGE_SLURM_BIN_DIR}, ...). */
  SlurmRuntimeFactory(Function<String, String> environment) {
    this.jobs = new SlurmJobs(new SlurmCli(SlurmSettings.from(environment)));
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public boolean usesGpus() {
    return true;
  }

  /** Queue time does not count (the host starts the clock when the job runs); loading does. */
  @Override
  public Duration startupTimeout() {
    return Duration.ofSeconds(900);
  }

  @Override
  public List<String> validate(EngineSpec spec) {
    return SlurmOptions.problems(spec);
  }

  @Override
  public Optional<RemoteJobs> remoteJobs() {
    return Optional.of(jobs);
  }

  /** Never called: the host submits slurm engines through {@link #remoteJobs()}. */
  @Override
  public EngineRuntime create(EngineContext context) {
    throw new SageException(
        ErrorCode.LAUNCH_FAILED,
        "engine " + context.engineId() + ": slurm engines are submitted as jobs, not launched");
  }
}

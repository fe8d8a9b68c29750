package io.sage.engine.vllm;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.GpuMemoryRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.pf4j.Extension;

/**
 * Runtime {@code vllm}: launches {@code vllm serve} as a child process (argv, never a shell) on the
 * GPUs the host placed. Serves llm engines, and embedding engines when the operator adds the vLLM
 * flag that selects an embedding model ({@code --task embed} or {@code --convert embed}).
 */
@Extension
public final class VllmEngineRuntimeFactory implements EngineRuntimeFactory {
  public static final String KIND = "vllm";

  /** Loading weights of a large model onto several GPUs takes minutes. */
  public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(900);

  private final Function<String, String> environment;

  public VllmEngineRuntimeFactory() {
    this(System::getenv);
  }

  /** For tests: the gateway's environment ({@code SAGE_VLLM_COMMAND}, {@code PATH}). */
  VllmEngineRuntimeFactory(Function<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<EngineKind> engineKinds() {
    return EnumSet.of(EngineKind.LLM, EngineKind.EMBEDDING);
  }

  @Override
  public boolean usesGpus() {
    return true;
  }

  @Override
  public Duration startupTimeout() {
    return STARTUP_TIMEOUT;
  }

  @Override
  public List<String> validate(EngineSpec spec) {
    List<String> problems = new ArrayList<>();
    problems.addAll(ModelNames.problems(spec.model(), spec.servedModelName()));
    problems.addAll(VllmOptions.parse(spec.options()).problems());
    List<String> argumentProblems = VllmArguments.problems(spec.extraArgs());
    problems.addAll(argumentProblems);
    problems.addAll(VllmPolicy.problems(spec, environment));
    if (argumentProblems.isEmpty() && !spec.requestedGpuIds().isEmpty()) {
      int needed = spec.tensorParallelSize() * pipelineStages(spec);
      if (spec.requestedGpuIds().size() != needed) {
        problems.add(
            "gpu_ids names "
                + spec.requestedGpuIds().size()
                + " GPUs but vLLM needs "
                + needed
                + " (tensor_parallel_size x --pipeline-parallel-size)");
      }
    }
    return problems;
  }

  /** Option {@code gpu_memory_gb}: GiB per GPU, as vLLM's own memory settings are. */
  @Override
  public Optional<GpuMemoryRequest> gpuMemoryNeed(EngineSpec spec) {
    return VllmOptions.parse(spec.options())
        .options()
        .gpuMemoryGb()
        .map(
            gb ->
                new GpuMemoryRequest(
                    gb.multiply(BigDecimal.valueOf(1024))
                        .setScale(0, RoundingMode.CEILING)
                        .longValueExact(),
                    "option "
                        + VllmOptions.GPU_MEMORY_GB
                        + "="
                        + gb.stripTrailingZeros().toPlainString()
                        + " per GPU"));
  }

  @Override
  public EngineRuntime create(EngineContext context) {
    // The host validated the spec when it was submitted; a spec stored before the allow-list
    // changed must still not reach vLLM.
    List<String> problems = validate(context.spec());
    if (!problems.isEmpty()) {
      throw new SageException(
          ErrorCode.INVALID_REQUEST,
          "engine " + context.engineId() + ": " + String.join("; ", problems));
    }
    return new VllmEngineRuntime(
        context, VllmOptions.parse(context.spec().options()).options(), environment);
  }

  private static int pipelineStages(EngineSpec spec) {
    return VllmArguments.valueOf(spec.extraArgs(), "--pipeline-parallel-size")
        .map(
            value -> {
              try {
                return Math.max(1, Integer.parseInt(value.trim()));
              } catch (NumberFormatException e) {
                return 1;
              }
            })
        .orElse(1);
  }
}

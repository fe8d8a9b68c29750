package io.sage.engine.vllm;

import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.HealthProbe;
import io.sage.spi.engine.LaunchCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One launch of {@code vllm serve}. The argv is built in the order SPEC.md section 6 gives, with
 * the operator's allow-listed extra arguments after everything the gateway sets; the API key goes
 * in {@code VLLM_API_KEY}, never on the command line (issue 19).
 */
final class VllmEngineRuntime implements EngineRuntime {
  /**
   * vLLM with several tensor-parallel workers needs longer than the host's default 10 s to stop its
   * workers and give back GPU memory; killing it early leaves memory held until the driver notices,
   * which breaks the next placement.
   */
  static final Duration STOP_GRACE_PERIOD = Duration.ofSeconds(30);

  private final EngineContext context;

  /** The variable vLLM takes its API key from (same as {@code --api-key}). */
  static final String API_KEY_ENV = "VLLM_API_KEY";

  private final VllmOptions options;
  private final Function<String, String> environment;

  VllmEngineRuntime(
      EngineContext context, VllmOptions options, Function<String, String> environment) {
    this.context = context;
    this.options = options;
    this.environment = environment;
  }

  @Override
  public LaunchCommand launchCommand() {
    EngineSpec spec = context.spec();
    String command = VllmCommand.resolve(context.engineId(), options.vllmCommand(), environment);
    List<String> argv =
        new ArrayList<>(
            List.of(
                command,
                "serve",
                spec.model(),
                "--host",
                context.host(),
                "--port",
                Integer.toString(context.port()),
                "--served-model-name",
                spec.servedModelName(),
                "--tensor-parallel-size",
                Integer.toString(spec.tensorParallelSize())));
    options
        .gpuMemoryUtilization()
        .ifPresent(
            u -> {
              argv.add("--gpu-memory-utilization");
              argv.add(u.toPlainString());
            });
    argv.addAll(spec.extraArgs());
    return new LaunchCommand(argv, environment(spec), context.workDirectory());
  }

  /**
   * {@code CUDA_VISIBLE_DEVICES}: the placed GPUs when there are any; empty (no GPU visible) for an
   * engine started with {@code use_gpu: false}; left as the gateway's own when GPUs are wanted but
   * nothing was placed (GPU provider {@code none}), so vLLM picks as it would alone.
   */
  private Map<String, String> environment(EngineSpec spec) {
    Map<String, String> variables = new HashMap<>();
    // vLLM reads its key from VLLM_API_KEY: on the command line every local user would see it in ps
    String key = context.engineApiKey();
    if (key != null && !key.isBlank()) {
      variables.put(API_KEY_ENV, key);
    }
    if (!context.gpuIds().isEmpty()) {
      variables.put(
          "CUDA_VISIBLE_DEVICES",
          context.gpuIds().stream().map(String::valueOf).collect(Collectors.joining(",")));
    } else if (!spec.useGpu()) {
      variables.put("CUDA_VISIBLE_DEVICES", "");
    }
    return variables;
  }

  /** vLLM answers {@code /health} without a key; {@code /v1/models} gets the gateway's key. */
  @Override
  public HealthProbe healthProbe() {
    return HealthProbe.standard(context.spec().kind());
  }

  @Override
  public Duration stopGracePeriod() {
    return STOP_GRACE_PERIOD;
  }
}

package io.sage.engine.embedding;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.HealthProbe;
import io.sage.spi.engine.LaunchCommand;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One launch of an embedding engine: a child JVM running {@code EmbeddingServerMain}, so that a
 * crash in ONNX Runtime's native code takes down the engine and never the gateway.
 */
final class EmbeddingEngineRuntime implements EngineRuntime {

  static final String MAIN_CLASS = "io.sage.engine.embedding.EmbeddingServerMain";
  static final String API_KEY_ENV = "SAGE_ENGINE_API_KEY";

  private final EngineContext context;
  private final EmbeddingOptions options;

  EmbeddingEngineRuntime(EngineContext context, EmbeddingOptions options) {
    this.context = context;
    this.options = options;
  }

  @Override
  public LaunchCommand launchCommand() {
    String classpath;
    try {
      classpath = PluginClasspath.asArgument();
    } catch (IllegalStateException e) {
      throw new SageException(
          ErrorCode.LAUNCH_FAILED, "engine " + context.engineId() + ": " + e.getMessage(), null, e);
    }
    String model =
        options.modelFolder() == null
            ? EmbeddingOptions.DEFAULT_MODEL
            : options.modelFolder().toString();
    List<String> argv = new ArrayList<>();
    argv.add(context.javaExecutable().toString());
    argv.add("-Xmx" + options.heapMb() + "m");
    // An out-of-memory engine must exit so the host sees it and restarts it, not limp on.
    argv.add("-XX:+ExitOnOutOfMemoryError");
    // GC and JIT threads follow the cores the engine was given, not the machine's.
    argv.add("-XX:ActiveProcessorCount=" + options.threads());
    // The tokenizer library unpacks its native code into its cache; keep it in the engine's folder.
    argv.add("-DDJL_CACHE_DIR=" + context.workDirectory().resolve("djl-cache").toAbsolutePath());
    argv.add("-Dai.djl.offline=true");
    argv.add("-cp");
    argv.add(classpath);
    argv.add(MAIN_CLASS);
    argv.addAll(List.of("--host", context.host(), "--port", Integer.toString(context.port())));
    argv.addAll(List.of("--model", model, "--served-model-name", context.spec().servedModelName()));
    argv.addAll(List.of("--threads", Integer.toString(options.threads())));
    argv.addAll(List.of("--max-batch-size", Integer.toString(options.maxBatchSize())));
    argv.addAll(List.of("--batch-wait-ms", Integer.toString(options.batchWaitMs())));
    argv.addAll(List.of("--max-inputs", Integer.toString(options.maxInputs())));
    argv.addAll(List.of("--max-input-tokens", Integer.toString(options.maxInputTokens())));
    argv.addAll(List.of("--truncate", Boolean.toString(options.truncate())));
    argv.addAll(
        List.of(
            "--pooling", options.pooling(), "--normalize", Boolean.toString(options.normalize())));
    argv.addAll(List.of("--spin-wait", Boolean.toString(options.spinWait())));
    Map<String, String> env = new HashMap<>();
    if (context.engineApiKey() != null && !context.engineApiKey().isBlank()) {
      env.put(API_KEY_ENV, context.engineApiKey());
    }
    // DJL reports usage from cloud hosts unless told not to; an engine never phones home.
    env.put("OPT_OUT_TRACKING", "true");
    return new LaunchCommand(argv, env, context.workDirectory());
  }

  @Override
  public HealthProbe healthProbe() {
    // /health answers 503 while the model loads and 200 once it embeds.
    return new HealthProbe("/health", false);
  }
}

package io.sage.engine.vllm;

import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What the host would hand the runtime, with values a test chooses. */
record FakeEngineContext(
    String engineId,
    EngineSpec spec,
    String host,
    int port,
    List<Integer> gpuIds,
    Path workDirectory,
    String engineApiKey)
    implements EngineContext {

  FakeEngineContext {
    gpuIds = List.copyOf(gpuIds);
  }

  static EngineSpec spec(
      String model, int tensorParallel, List<String> extraArgs, Map<String, String> options) {
    return new EngineSpec(
        model,
        "served-" + tensorParallel,
        EngineKind.LLM,
        "vllm",
        null,
        tensorParallel,
        List.of(),
        true,
        null,
        extraArgs,
        options);
  }
}

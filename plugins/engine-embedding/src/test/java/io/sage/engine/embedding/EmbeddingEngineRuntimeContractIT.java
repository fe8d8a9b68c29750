package io.sage.engine.embedding;

import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.testkit.engine.EngineRuntimeContract;
import java.time.Duration;
import java.util.Map;

/**
 * The shared runtime contract against the real embedding engine process (the default ONNX model),
 * launched from target/classes + target/lib, the layout of the extracted plugin zip.
 */
class EmbeddingEngineRuntimeContractIT extends EngineRuntimeContract {

  @Override
  protected EngineRuntimeFactory factory() {
    return new EmbeddingEngineRuntimeFactory();
  }

  @Override
  protected EngineSpec spec() {
    return TestEngineContext.spec(
        EmbeddingOptions.DEFAULT_MODEL, Map.of("threads", "1", "heap_mb", "384"));
  }

  @Override
  protected Duration healthTimeout() {
    return Duration.ofSeconds(120);
  }
}

package io.sage.engine.embedding;

import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A hand-written {@link EngineContext} for one embedding engine on a given port. */
record TestEngineContext(EngineSpec spec, int port, Path workDirectory, String engineApiKey)
    implements EngineContext {

  static EngineSpec spec(String model, Map<String, String> options) {
    return new EngineSpec(
        model,
        null,
        EngineKind.EMBEDDING,
        "embedding",
        null,
        1,
        List.of(),
        false,
        null,
        List.of(),
        options);
  }

  @Override
  public String engineId() {
    return "emb-test";
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public List<Integer> gpuIds() {
    return List.of();
  }
}

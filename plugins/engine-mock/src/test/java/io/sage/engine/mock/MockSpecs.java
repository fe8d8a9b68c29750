package io.sage.engine.mock;

import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.util.List;
import java.util.Map;

/** Specs for mock engines in tests. */
final class MockSpecs {
  static final String MODEL = "mock-model";

  private MockSpecs() {}

  static EngineSpec llm(Map<String, String> options) {
    return spec(EngineKind.LLM, options, List.of());
  }

  static EngineSpec embedding(Map<String, String> options) {
    return spec(EngineKind.EMBEDDING, options, List.of());
  }

  static EngineSpec spec(EngineKind kind, Map<String, String> options, List<String> extraArgs) {
    return new EngineSpec(
        "mock/base-model",
        MODEL,
        kind,
        "mock",
        null,
        1,
        List.of(),
        false,
        null,
        extraArgs,
        options);
  }
}

package io.sage.engine.mock;

import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.testkit.engine.EngineRuntimeContract;
import java.util.Map;

class MockEngineRuntimeContractTest extends EngineRuntimeContract {

  @Override
  protected EngineRuntimeFactory factory() {
    return new MockEngineRuntimeFactory();
  }

  @Override
  protected EngineSpec spec() {
    return MockSpecs.llm(Map.of("latency_ms", "0"));
  }
}

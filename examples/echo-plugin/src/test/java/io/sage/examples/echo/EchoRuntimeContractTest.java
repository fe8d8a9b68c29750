package io.sage.examples.echo;

import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.testkit.engine.EngineRuntimeContract;
import java.util.List;
import java.util.Map;

/** What a third-party runtime does to be a good citizen: extend the shared contract suite. */
class EchoRuntimeContractTest extends EngineRuntimeContract {

  @Override
  protected EngineRuntimeFactory factory() {
    return new EchoRuntimeFactory();
  }

  @Override
  protected EngineSpec spec() {
    return new EngineSpec(
        "echo-model",
        null,
        EngineKind.LLM,
        "echo",
        null,
        1,
        List.of(),
        false,
        null,
        List.of(),
        Map.of());
  }
}

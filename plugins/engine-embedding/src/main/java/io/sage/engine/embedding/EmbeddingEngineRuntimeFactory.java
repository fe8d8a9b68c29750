package io.sage.engine.embedding;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The {@code embedding} runtime: an ONNX sentence-transformer served by a child JVM. This class
 * only builds the command line; it never touches ONNX Runtime, so none of its classes or native
 * code is loaded into the gateway.
 */
@Extension
public final class EmbeddingEngineRuntimeFactory implements EngineRuntimeFactory {

  public static final String KIND = "embedding";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<EngineKind> engineKinds() {
    return EnumSet.of(EngineKind.EMBEDDING);
  }

  @Override
  public Duration startupTimeout() {
    return Duration.ofSeconds(120);
  }

  @Override
  public List<String> validate(EngineSpec spec) {
    return EmbeddingOptions.problems(spec);
  }

  @Override
  public EngineRuntime create(EngineContext context) {
    List<String> problems = EmbeddingOptions.problems(context.spec());
    if (!problems.isEmpty()) {
      throw new SageException(
          ErrorCode.INVALID_OPTION,
          "engine " + context.engineId() + ": " + String.join("; ", problems));
    }
    return new EmbeddingEngineRuntime(context, EmbeddingOptions.parse(context.spec()));
  }
}

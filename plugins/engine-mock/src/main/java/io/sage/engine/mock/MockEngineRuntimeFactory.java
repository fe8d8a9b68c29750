package io.sage.engine.mock;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;

/**
 * The {@code mock} runtime: a child JVM running {@link MockEngineMain} from this plugin's own jar,
 * serving deterministic OpenAI answers with optional latency, pacing and injected faults.
 */
@Extension
public final class MockEngineRuntimeFactory implements EngineRuntimeFactory {
  public static final String KIND = "mock";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Duration startupTimeout() {
    return Duration.ofSeconds(30);
  }

  @Override
  public List<String> validate(EngineSpec spec) {
    List<String> problems = new ArrayList<>(MockOptions.parse(spec.options()).problems());
    if (!spec.extraArgs().isEmpty()) {
      problems.add(
          "extra_args: the mock runtime takes no extra arguments, got " + spec.extraArgs());
    }
    return problems;
  }

  @Override
  public EngineRuntime create(EngineContext context) {
    List<String> problems = validate(context.spec());
    if (!problems.isEmpty()) {
      throw new SageException(
          ErrorCode.LAUNCH_FAILED,
          "engine " + context.engineId() + ": invalid mock spec: " + String.join("; ", problems));
    }
    return new MockEngineRuntime(context, classPath(context.engineId()));
  }

  /** The jar (or classes folder) this plugin was loaded from: the child JVM's class path. */
  static Path classPath(String engineId) {
    CodeSource source = MockEngineRuntimeFactory.class.getProtectionDomain().getCodeSource();
    try {
      if (source != null && source.getLocation() != null) {
        Path path = Path.of(source.getLocation().toURI());
        if (Files.exists(path)) {
          return path;
        }
      }
    } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
      throw launchFailed(engineId, source, e);
    }
    throw launchFailed(engineId, source, null);
  }

  private static SageException launchFailed(String engineId, CodeSource source, Exception cause) {
    return new SageException(
        ErrorCode.LAUNCH_FAILED,
        "engine "
            + engineId
            + ": cannot locate the mock plugin's jar to launch it from ("
            + (source == null ? "no code source" : source.getLocation())
            + ")",
        null,
        cause);
  }
}

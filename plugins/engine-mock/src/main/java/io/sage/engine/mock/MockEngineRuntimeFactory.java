package io.sage.engine.mock;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
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

  /**
   * The child JVM's class path: the jar this plugin was loaded from, which holds its shaded Jackson
   * too. Run from classes folders (the module's own tests), Jackson's jars are added.
   */
  static String classPath(String engineId) {
    Set<Path> entries = new LinkedHashSet<>();
    for (Class<?> type :
        List.of(
            MockEngineRuntimeFactory.class,
            ObjectMapper.class,
            JsonFactory.class,
            JsonAutoDetect.class)) {
      entries.add(codeSource(engineId, type));
    }
    StringJoiner joined = new StringJoiner(File.pathSeparator);
    entries.forEach(entry -> joined.add(entry.toString()));
    return joined.toString();
  }

  private static Path codeSource(String engineId, Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
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

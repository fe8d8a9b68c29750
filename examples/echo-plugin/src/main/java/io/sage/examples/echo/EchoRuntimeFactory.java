package io.sage.examples.echo;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.HealthProbe;
import io.sage.spi.engine.LaunchCommand;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The {@code echo} runtime: an out-of-tree plugin compiled against {@code core/spi} and pf4j only.
 * Each engine is a child JVM running {@link EchoServerMain} from this plugin's own jar; it answers
 * chat completions with the last user message.
 */
@Extension
public final class EchoRuntimeFactory implements EngineRuntimeFactory {
  public static final String KIND = "echo";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Set<EngineKind> engineKinds() {
    return EnumSet.of(EngineKind.LLM);
  }

  @Override
  public Duration startupTimeout() {
    return Duration.ofSeconds(30);
  }

  @Override
  public List<String> validate(EngineSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec.kind() != EngineKind.LLM) {
      problems.add(
          "engine_kind: the echo runtime serves llm engines only, got " + spec.kind().wireName());
    }
    if (!spec.extraArgs().isEmpty()) {
      problems.add(
          "extra_args: the echo runtime takes no extra arguments, got " + spec.extraArgs());
    }
    if (!spec.options().isEmpty()) {
      problems.add("options: the echo runtime takes no options, got " + spec.options().keySet());
    }
    return problems;
  }

  @Override
  public EngineRuntime create(EngineContext context) {
    String classPath = classPath(context.engineId());
    return new EngineRuntime() {
      @Override
      public LaunchCommand launchCommand() {
        List<String> argv =
            List.of(
                context.javaExecutable().toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-cp",
                classPath,
                EchoServerMain.class.getName(),
                "--host",
                context.host(),
                "--port",
                Integer.toString(context.port()),
                "--model",
                context.spec().servedModelName());
        String key = context.engineApiKey();
        Map<String, String> env =
            key == null || key.isBlank() ? Map.of() : Map.of(EchoServerMain.API_KEY_ENV, key);
        return new LaunchCommand(argv, env, context.workDirectory());
      }

      @Override
      public HealthProbe healthProbe() {
        return HealthProbe.standard(EngineKind.LLM);
      }

      @Override
      public Duration stopGracePeriod() {
        return Duration.ofSeconds(3);
      }
    };
  }

  /**
   * The engine's class path: the jar this plugin was loaded from, Jackson shaded inside it. Run
   * from classes folders (this module's own tests), Jackson's jars are added.
   */
  private static String classPath(String engineId) {
    Set<String> entries = new LinkedHashSet<>();
    for (Class<?> type :
        List.of(
            EchoRuntimeFactory.class,
            ObjectMapper.class,
            JsonFactory.class,
            JsonAutoDetect.class)) {
      entries.add(codeSource(engineId, type).toString());
    }
    return String.join(File.pathSeparator, entries);
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
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new SageException(
          ErrorCode.LAUNCH_FAILED,
          "engine " + engineId + ": cannot locate the echo plugin's jar: " + e.getMessage(),
          null,
          e);
    }
    throw new SageException(
        ErrorCode.LAUNCH_FAILED,
        "engine "
            + engineId
            + ": cannot locate the echo plugin's jar ("
            + (source == null ? "no code source" : source.getLocation())
            + ")");
  }
}

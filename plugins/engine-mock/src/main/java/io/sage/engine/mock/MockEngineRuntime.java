package io.sage.engine.mock;

import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.HealthProbe;
import io.sage.spi.engine.LaunchCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One launch of a mock engine: a small child JVM running {@link MockEngineMain}. */
final class MockEngineRuntime implements EngineRuntime {
  /**
   * JVM flags for a small engine. No C1-only flag (-XX:TieredStopAtLevel=1): the mock is the
   * backend of performance benchmarks, and with wrk (64 connections, 2 shared cores) C1-only
   * averaged ~29k non-stream requests/s against ~32k with C2, for a startup gain of a few ms.
   */
  static final List<String> JVM_FLAGS = List.of("-Xss512k", "-XX:+UseSerialGC", "-Xmx128m");

  private final EngineContext context;
  private final String classPath;

  MockEngineRuntime(EngineContext context, String classPath) {
    this.context = context;
    this.classPath = classPath;
  }

  @Override
  public LaunchCommand launchCommand() {
    EngineSpec spec = context.spec();
    List<String> argv = new ArrayList<>();
    argv.add(context.javaExecutable().toString());
    argv.addAll(JVM_FLAGS);
    argv.addAll(
        List.of(
            "-cp",
            classPath,
            MockEngineMain.class.getName(),
            "--host",
            context.host(),
            "--port",
            Integer.toString(context.port()),
            "--model",
            spec.servedModelName(),
            "--kind",
            spec.kind().wireName()));
    // Sorted, so the same spec always gives the same command line (the host matches command
    // lines when it re-adopts engines after a restart).
    for (Map.Entry<String, String> option : new TreeMap<>(spec.options()).entrySet()) {
      argv.add("--option");
      argv.add(option.getKey() + "=" + option.getValue());
    }
    String apiKey = context.engineApiKey();
    Map<String, String> environment =
        apiKey == null || apiKey.isBlank() ? Map.of() : Map.of(MockEngineMain.API_KEY_ENV, apiKey);
    return new LaunchCommand(argv, environment, context.workDirectory());
  }

  @Override
  public HealthProbe healthProbe() {
    return HealthProbe.standard(context.spec().kind());
  }

  @Override
  public Duration stopGracePeriod() {
    return Duration.ofSeconds(5);
  }
}

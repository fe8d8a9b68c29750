package io.sage.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.LaunchCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every engine runtime meets, run against a real launched process. A runtime's test
 * extends it and provides the factory and a spec that can run on the test machine.
 *
 * <p>One engine is launched lazily and shared by the read-only checks; the stop check launches its
 * own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EngineRuntimeContract {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir private static Path workRoot;
  private final List<LaunchedEngine> launched = new ArrayList<>();
  private LaunchedEngine shared;
  private TestEngineContext sharedContext;

  /** The factory under test. */
  protected abstract EngineRuntimeFactory factory();

  /** A spec this runtime accepts and can launch on the test machine. */
  protected abstract EngineSpec spec();

  /** Whether the runtime's engines require the engine API key on {@code /v1/*}. */
  protected boolean honoursApiKey() {
    return true;
  }

  /**
   * Whether the engine key stays off the launch command line (where {@code ps} shows it to every
   * user of the machine). Only a runtime with a known, tracked exception answers false.
   */
  protected boolean keepsTheKeyOffTheCommandLine() {
    return true;
  }

  /** How long a launched engine may take to become healthy. */
  protected Duration healthTimeout() {
    return factory().startupTimeout();
  }

  @AfterAll
  void stopEngines() {
    launched.forEach(LaunchedEngine::stop);
  }

  @Test
  void kindIsStableLowerCase() {
    String kind = factory().kind();
    assertThat(kind).matches("[a-z0-9]+(-[a-z0-9]+)*");
    assertThat(factory().kind()).isEqualTo(kind);
  }

  @Test
  void servesTheSpecsEngineKind() {
    assertThat(factory().engineKinds()).contains(spec().kind());
  }

  @Test
  void validateAcceptsTheSpec() {
    assertThat(factory().validate(spec())).isEmpty();
  }

  @Test
  void launchCommandRunsInTheWorkDirectoryWithoutTheKeyOnTheCommandLine() {
    TestEngineContext context = context("cmd");
    LaunchCommand command = factory().create(context).launchCommand();
    assertThat(command.workingDirectory()).isEqualTo(context.workDirectory());
    assumeTrue(keepsTheKeyOffTheCommandLine(), "this runtime still passes the key as an argument");
    assertThat(String.join(" ", command.argv())).doesNotContain(context.engineApiKey());
  }

  @Test
  void launchedEngineBecomesHealthy() throws IOException {
    LaunchedEngine engine = sharedEngine();
    String healthPath = factory().create(sharedContext).healthProbe().healthPath();
    assertThat(engine.get(healthPath, REQUEST_TIMEOUT).statusCode()).isEqualTo(200);
    assertThat(engine.process().isAlive()).isTrue();
  }

  @Test
  void modelsListTheServedName() throws IOException {
    LaunchedEngine engine = sharedEngine();
    var response = engine.get("/v1/models", REQUEST_TIMEOUT, authorization(sharedContext));
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    JSON.readTree(response.body())
        .path("data")
        .forEach(model -> ids.add(model.path("id").asText()));
    assertThat(ids).contains(spec().servedModelName());
  }

  @Test
  void modelsRequireTheApiKey() throws IOException {
    assumeTrue(honoursApiKey(), "this runtime does not check the engine API key");
    LaunchedEngine engine = sharedEngine();
    assertThat(engine.get("/v1/models", REQUEST_TIMEOUT).statusCode()).isEqualTo(401);
    var wrong = engine.get("/v1/models", REQUEST_TIMEOUT, "Authorization", "Bearer wrong-key");
    assertThat(wrong.statusCode()).isEqualTo(401);
    JsonNode error = JSON.readTree(wrong.body()).path("error");
    assertThat(error.path("message").asText()).isNotBlank();
  }

  @Test
  void stoppingLeavesNoProcessBehind() {
    TestEngineContext context = context("stop");
    EngineRuntime runtime = factory().create(context);
    LaunchedEngine engine =
        LaunchedEngine.start(
            context, runtime.launchCommand(), runtime.healthProbe().healthPath(), healthTimeout());
    launched.add(engine);
    List<ProcessHandle> stopped = engine.stop();
    assertThat(stopped).isNotEmpty().noneMatch(ProcessHandle::isAlive);
    assertThat(ProcessHandle.of(engine.process().pid()).filter(ProcessHandle::isAlive)).isEmpty();
  }

  /** A fresh context for {@link #spec()} with its own work directory. */
  protected TestEngineContext context(String name) {
    return TestEngineContext.of(
        name + "-" + UUID.randomUUID().toString().substring(0, 8), spec(), workRoot.resolve(name));
  }

  /** The {@code Authorization} header pair for the context's key. */
  protected static String[] authorization(TestEngineContext context) {
    return new String[] {"Authorization", "Bearer " + context.engineApiKey()};
  }

  private LaunchedEngine sharedEngine() {
    if (shared == null) {
      sharedContext = context("shared");
      EngineRuntime runtime = factory().create(sharedContext);
      shared =
          LaunchedEngine.start(
              sharedContext,
              runtime.launchCommand(),
              runtime.healthProbe().healthPath(),
              healthTimeout());
      launched.add(shared);
    }
    return shared;
  }
}

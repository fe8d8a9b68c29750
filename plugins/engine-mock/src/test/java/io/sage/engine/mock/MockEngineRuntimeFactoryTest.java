package io.sage.engine.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.LaunchCommand;
import io.sage.testkit.engine.TestEngineContext;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MockEngineRuntimeFactoryTest {
  private final MockEngineRuntimeFactory factory = new MockEngineRuntimeFactory();
  @TempDir Path workDir;

  @Test
  void describesTheMockRuntime() {
    assertThat(factory.kind()).isEqualTo("mock");
    assertThat(factory.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(factory.engineKinds())
        .containsExactlyInAnyOrder(EngineKind.LLM, EngineKind.EMBEDDING);
    assertThat(factory.usesGpus()).isFalse();
  }

  @Test
  void acceptsEveryKnownOption() {
    Map<String, String> options =
        Map.of(
            "latency_ms", "5",
            "tokens_per_second", "12.5",
            "embedding_dim", "8192",
            "fail_health_after_s", "0.5",
            "exit_after_requests", "1",
            "hang_after_s", "3",
            "log_requests", "TRUE",
            "startup_delay_s", "2.5");
    assertThat(factory.validate(MockSpecs.llm(options))).isEmpty();
    assertThat(factory.validate(MockSpecs.llm(Map.of()))).isEmpty();
  }

  @Test
  void reportsEveryBadOptionAtOnce() {
    Map<String, String> options =
        Map.of(
            "latency_ms", "-1",
            "tokens_per_second", "fast",
            "embedding_dim", "8193",
            "fail_health_after_s", "-2",
            "exit_after_requests", "0",
            "hang_after_s", "NaN",
            "log_requests", "yes",
            "temperature", "1");
    List<String> problems =
        factory.validate(MockSpecs.spec(EngineKind.LLM, options, List.of("--foo")));
    assertThat(problems).hasSize(9);
    assertThat(String.join("\n", problems))
        .contains("'latency_ms' must be an integer >= 0, got '-1'")
        .contains("'tokens_per_second' must be a number >= 0, got 'fast'")
        .contains("'embedding_dim' must be an integer within 1..8192, got '8193'")
        .contains("'fail_health_after_s' must be a number >= 0")
        .contains("'exit_after_requests' must be an integer >= 1, got '0'")
        .contains("'hang_after_s' must be a number >= 0, got 'NaN'")
        .contains("'log_requests' must be true or false, got 'yes'")
        .contains("option 'temperature' is unknown")
        .contains("extra_args");
  }

  @Test
  void launchesMockEngineMainFromThePluginsOwnClassPath() {
    TestEngineContext context =
        TestEngineContext.of(
            "engine-7",
            MockSpecs.embedding(Map.of("latency_ms", "3", "embedding_dim", "16")),
            workDir);
    EngineRuntime runtime = factory.create(context);
    LaunchCommand command = runtime.launchCommand();

    Path classPath =
        Path.of(command.argv().get(command.argv().indexOf("-cp") + 1).split(File.pathSeparator)[0]);
    assertThat(classPath.resolve("io/sage/engine/mock/MockEngineMain.class")).exists();
    assertThat(command.argv())
        .startsWith(context.javaExecutable().toString())
        .containsSubsequence(
            "io.sage.engine.mock.MockEngineMain",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(context.port()),
            "--model",
            MockSpecs.MODEL,
            "--kind",
            "embedding",
            "--option",
            "embedding_dim=16",
            "--option",
            "latency_ms=3")
        .contains("-Xmx128m", "-XX:+UseSerialGC");
    assertThat(command.environment())
        .containsExactly(Map.entry("SAGE_ENGINE_API_KEY", context.engineApiKey()));
    assertThat(command.workingDirectory()).isEqualTo(workDir);
    assertThat(runtime.healthProbe().healthPath()).isEqualTo("/health");
    assertThat(runtime.healthProbe().requireServedModel()).isFalse();
  }

  @Test
  void llmEnginesAreProbedForTheirServedModel() {
    EngineRuntime runtime =
        factory.create(TestEngineContext.of("engine-8", MockSpecs.llm(Map.of()), workDir));
    assertThat(runtime.healthProbe().requireServedModel()).isTrue();
  }

  @Test
  void refusesToCreateAnInvalidEngineNamingIt() {
    TestEngineContext context =
        TestEngineContext.of("engine-9", MockSpecs.llm(Map.of("bogus", "1")), workDir);
    assertThatThrownBy(() -> factory.create(context))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LAUNCH_FAILED))
        .hasMessageContaining("engine-9")
        .hasMessageContaining("bogus");
  }
}

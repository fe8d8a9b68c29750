package io.sage.engine.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.HealthProbe;
import io.sage.spi.engine.LaunchCommand;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingEngineRuntimeFactoryTest {

  private final EmbeddingEngineRuntimeFactory factory = new EmbeddingEngineRuntimeFactory();

  @TempDir Path temp;

  @Test
  void describesTheEmbeddingRuntime() {
    assertThat(factory.kind()).isEqualTo("embedding");
    assertThat(factory.engineKinds()).containsExactly(EngineKind.EMBEDDING);
    assertThat(factory.startupTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(factory.usesGpus()).isFalse();
  }

  @Test
  void acceptsTheDefaultModelWithEveryOption() {
    Map<String, String> options =
        Map.of(
            "threads",
            "2",
            "max_batch_size",
            "16",
            "batch_wait_ms",
            "0",
            "max_inputs",
            "100",
            "max_input_tokens",
            "256",
            "truncate",
            "true",
            "heap_mb",
            "256");
    assertThat(factory.validate(TestEngineContext.spec(EmbeddingOptions.DEFAULT_MODEL, options)))
        .isEmpty();
  }

  @Test
  void reportsEveryProblemAtOnce() {
    EngineSpec spec =
        new EngineSpec(
            "/no/such/folder",
            null,
            EngineKind.LLM,
            "embedding",
            null,
            1,
            List.of(),
            false,
            null,
            List.of("--foo"),
            Map.of(
                "threads",
                "zero",
                "max_batch_size",
                "0",
                "truncate",
                "maybe",
                "pooling",
                "max",
                "colour",
                "red"));
    List<String> problems = factory.validate(spec);
    assertThat(problems).hasSize(8);
    assertThat(String.join("\n", problems))
        .contains(
            "engine_kind",
            "extra_args",
            "/no/such/folder",
            "'colour' is unknown",
            "'threads' must be an integer",
            "'max_batch_size' must be between 1 and 1024",
            "'truncate' must be true or false",
            "'pooling' must be");
  }

  @Test
  void rejectsPoolingOptionsAndTooManyTokensForTheDefaultModel() {
    List<String> problems =
        factory.validate(
            TestEngineContext.spec(
                EmbeddingOptions.DEFAULT_MODEL,
                Map.of("pooling", "cls", "max_input_tokens", "1024")));
    assertThat(problems).hasSize(2);
    assertThat(String.join("\n", problems))
        .contains("apply only to a local model folder", "between 2 and 512");
  }

  @Test
  void acceptsALocalFolderOnlyWithModelAndTokenizer() throws IOException {
    Path folder = Files.createDirectory(temp.resolve("bge"));
    Files.writeString(folder.resolve("model.onnx"), "x");
    assertThat(factory.validate(TestEngineContext.spec(folder.toString(), Map.of())))
        .containsExactly("model folder '" + folder + "' has no tokenizer.json");
    Files.writeString(folder.resolve("tokenizer.json"), "{}");
    assertThat(
            factory.validate(
                TestEngineContext.spec(
                    folder.toString(), Map.of("pooling", "cls", "normalize", "false"))))
        .isEmpty();
  }

  @Test
  void launchesAChildJvmWithBoundedHeapAndTheKey() {
    TestEngineContext context =
        new TestEngineContext(
            TestEngineContext.spec(
                EmbeddingOptions.DEFAULT_MODEL, Map.of("threads", "3", "heap_mb", "300")),
            4321,
            temp,
            "k-1");
    var runtime = factory.create(context);
    LaunchCommand command = runtime.launchCommand();
    List<String> argv = command.argv();
    assertThat(argv.get(0)).isEqualTo(context.javaExecutable().toString());
    assertThat(argv)
        .contains(
            "-Xmx300m", "-XX:ActiveProcessorCount=3", "-cp", EmbeddingEngineRuntime.MAIN_CLASS);
    assertThat(String.join(" ", argv))
        .contains(
            "--host 127.0.0.1 --port 4321 --model sentence-transformers/all-MiniLM-L6-v2",
            "--served-model-name sentence-transformers/all-MiniLM-L6-v2",
            "--threads 3",
            "--spin-wait false");
    assertThat(command.environment()).containsEntry("SAGE_ENGINE_API_KEY", "k-1");
    assertThat(command.workingDirectory()).isEqualTo(temp);
    assertThat(runtime.healthProbe()).isEqualTo(new HealthProbe("/health", false));
  }

  @Test
  void spinWaitIsPassedWhenAskedForAndMustBeABoolean() {
    var runtime =
        factory.create(
            new TestEngineContext(
                TestEngineContext.spec(EmbeddingOptions.DEFAULT_MODEL, Map.of("spin_wait", "true")),
                4321,
                temp,
                null));
    assertThat(String.join(" ", runtime.launchCommand().argv())).contains("--spin-wait true");
    assertThat(
            EmbeddingOptions.problems(
                TestEngineContext.spec(
                    EmbeddingOptions.DEFAULT_MODEL, Map.of("spin_wait", "maybe"))))
        .anySatisfy(p -> assertThat(p).contains("spin_wait"));
  }

  @Test
  void childClasspathIsThePluginClassesPlusItsLibFolder() {
    List<Path> entries = PluginClasspath.entries();
    assertThat(entries.get(0)).isDirectory().endsWith(Path.of("classes"));
    List<String> names = entries.stream().map(p -> p.getFileName().toString()).toList();
    assertThat(names)
        .anyMatch(n -> n.startsWith("onnxruntime-"))
        .anyMatch(n -> n.startsWith("tokenizers-"))
        .anyMatch(n -> n.startsWith("langchain4j-embeddings-all-minilm"))
        .anyMatch(n -> n.startsWith("slf4j-api"));
    assertThat(names)
        .noneMatch(n -> n.startsWith("sage-spi") || n.startsWith("pf4j") || n.startsWith("junit"));
    assertThat(PluginClasspath.asArgument()).contains(File.pathSeparator);
  }

  @Test
  void refusesToCreateFromAnInvalidSpec() {
    TestEngineContext context =
        new TestEngineContext(
            TestEngineContext.spec(EmbeddingOptions.DEFAULT_MODEL, Map.of("threads", "-1")),
            4321,
            temp,
            "k");
    assertThatThrownBy(() -> factory.create(context))
        .isInstanceOf(SageException.class)
        .hasMessageContaining("emb-test")
        .hasMessageContaining("threads");
  }
}

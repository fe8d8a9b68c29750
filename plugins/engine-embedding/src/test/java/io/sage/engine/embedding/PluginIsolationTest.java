package io.sage.engine.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.LaunchCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the factory the way the gateway does (a plugin classloader over classes/ and lib/, with
 * only the SPI, pf4j and slf4j shared) and proves that building a launch command loads none of ONNX
 * Runtime, the tokenizer or langchain4j into the gateway's JVM.
 */
class PluginIsolationTest {

  @TempDir Path temp;

  @Test
  void factoryBuildsArgvWithoutLoadingOnnxIntoTheHost() throws Exception {
    List<Path> pluginPaths =
        PluginClasspath.entries().stream()
            .filter(p -> !p.getFileName().toString().startsWith("slf4j-api"))
            .toList();
    try (PluginLoaders.Recording loader = new PluginLoaders.Recording(pluginPaths)) {
      Class<?> type = loader.loadClass(EmbeddingEngineRuntimeFactory.class.getName());
      assertThat(type.getClassLoader()).isSameAs(loader);
      EngineRuntimeFactory factory =
          (EngineRuntimeFactory) type.getDeclaredConstructor().newInstance();

      assertThat(factory.validate(TestEngineContext.spec(EmbeddingOptions.DEFAULT_MODEL, Map.of())))
          .isEmpty();
      LaunchCommand command =
          factory
              .create(
                  new TestEngineContext(
                      TestEngineContext.spec(EmbeddingOptions.DEFAULT_MODEL, Map.of()),
                      5555,
                      temp,
                      "key"))
              .launchCommand();

      assertThat(command.argv()).contains(EmbeddingEngineRuntime.MAIN_CLASS);
      assertThat(loader.requested).isNotEmpty();
      assertThat(loader.requested)
          .noneMatch(
              name ->
                  name.startsWith("ai.onnxruntime")
                      || name.startsWith("ai.djl")
                      || name.startsWith("dev.langchain4j")
                      || name.startsWith("com.fasterxml"));
      assertThat(loader.isLoaded("ai.onnxruntime.OrtEnvironment")).isFalse();
      assertThat(loader.isLoaded("io.sage.engine.embedding.server.TextEncoder")).isFalse();
    }
  }
}

package io.sage.engine.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.LaunchCommand;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the factory the way the gateway does (a plugin classloader over classes/ and lib/, with
 * only the SPI, pf4j and slf4j shared) and proves that building a launch command loads none of
 * ONNX Runtime, the tokenizer or langchain4j into the gateway's JVM.
 */
class PluginIsolationTest {

  @TempDir Path temp;

  @Test
  void factoryBuildsArgvWithoutLoadingOnnxIntoTheHost() throws Exception {
    List<Path> pluginPaths = PluginClasspath.entries().stream()
        .filter(p -> !p.getFileName().toString().startsWith("slf4j-api"))
        .toList();
    try (RecordingPluginLoader loader = new RecordingPluginLoader(urls(pluginPaths), new SharedPackagesLoader())) {
      Class<?> type = loader.loadClass(EmbeddingEngineRuntimeFactory.class.getName());
      assertThat(type.getClassLoader()).isSameAs(loader);
      EngineRuntimeFactory factory = (EngineRuntimeFactory) type.getDeclaredConstructor().newInstance();

      assertThat(factory.validate(TestEngineContext.spec(EmbeddingOptions.DEFAULT_MODEL, Map.of()))).isEmpty();
      LaunchCommand command = factory.create(new TestEngineContext(
          TestEngineContext.spec(EmbeddingOptions.DEFAULT_MODEL, Map.of()), 5555, temp, "key")).launchCommand();

      assertThat(command.argv()).contains(EmbeddingEngineRuntime.MAIN_CLASS);
      assertThat(loader.requested).isNotEmpty();
      assertThat(loader.requested)
          .noneMatch(name -> name.startsWith("ai.onnxruntime") || name.startsWith("ai.djl")
              || name.startsWith("dev.langchain4j") || name.startsWith("com.fasterxml"));
      assertThat(loader.isLoaded("ai.onnxruntime.OrtEnvironment")).isFalse();
      assertThat(loader.isLoaded("io.sage.engine.embedding.server.TextEncoder")).isFalse();
    }
  }

  private static URL[] urls(List<Path> paths) throws MalformedURLException {
    URL[] urls = new URL[paths.size()];
    for (int i = 0; i < urls.length; i++) {
      urls[i] = paths.get(i).toUri().toURL();
    }
    return urls;
  }

  /** The host side: the SPI, pf4j and slf4j come from the test's loader, nothing else. */
  private static final class SharedPackagesLoader extends ClassLoader {
    private static final List<String> SHARED = List.of("io.sage.spi.", "org.pf4j.", "org.slf4j.");

    SharedPackagesLoader() {
      super(ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      if (SHARED.stream().anyMatch(name::startsWith)) {
        return PluginIsolationTest.class.getClassLoader().loadClass(name);
      }
      throw new ClassNotFoundException(name);
    }
  }

  /** A plugin classloader that records every class it is asked for. */
  private static final class RecordingPluginLoader extends URLClassLoader {
    final Set<String> requested = ConcurrentHashMap.newKeySet();

    RecordingPluginLoader(URL[] urls, ClassLoader parent) {
      super(urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      requested.add(name);
      return super.loadClass(name, resolve);
    }

    boolean isLoaded(String name) {
      return findLoadedClass(name) != null;
    }
  }
}

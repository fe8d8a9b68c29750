package io.sage.engine.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.engine.LaunchCommand;
import io.sage.testkit.engine.LaunchedEngine;
import io.sage.testkit.engine.TestEngineContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the packaged plugin jar: what PF4J needs to load it, and that it runs on its own. */
class MockPluginJarIT {
  private static final Path JAR = Path.of(System.getProperty("sage.mock.pluginJar"));

  @Test
  void carriesThePf4jManifestAndExtensionIndex() throws IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      Manifest manifest = jar.getManifest();
      assertThat(manifest.getMainAttributes().getValue("Plugin-Id")).isEqualTo("engine-mock");
      assertThat(manifest.getMainAttributes().getValue("Plugin-Requires")).isNotBlank();
      assertThat(manifest.getMainAttributes().getValue("Plugin-Version")).isNotBlank();
      String index =
          new String(
              jar.getInputStream(jar.getEntry("META-INF/extensions.idx")).readAllBytes(),
              StandardCharsets.UTF_8);
      assertThat(index).contains(MockEngineRuntimeFactory.class.getName());
    }
  }

  @Test
  void runsWithTheJarAloneOnTheClassPath(@TempDir Path workDir) throws IOException {
    TestEngineContext context = TestEngineContext.of("jar", MockSpecs.llm(Map.of()), workDir);
    LaunchCommand command =
        new LaunchCommand(
            List.of(
                context.javaExecutable().toString(),
                "-cp",
                JAR.toString(),
                MockEngineMain.class.getName(),
                "--host",
                context.host(),
                "--port",
                Integer.toString(context.port()),
                "--model",
                MockSpecs.MODEL,
                "--kind",
                "llm"),
            Map.of(MockEngineMain.API_KEY_ENV, context.engineApiKey()),
            workDir);
    try (LaunchedEngine engine =
        LaunchedEngine.start(context, command, "/health", Duration.ofSeconds(20))) {
      var response =
          engine.post(
              "/v1/chat/completions",
              "{\"max_tokens\":2}",
              Duration.ofSeconds(5),
              "Authorization",
              "Bearer " + context.engineApiKey());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"content\":\"tok0 tok1\"");
    }
  }
}

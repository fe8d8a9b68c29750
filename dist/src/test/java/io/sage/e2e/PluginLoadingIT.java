package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken plugins are reported with their error while the gateway keeps serving. */
class PluginLoadingIT {
  @TempDir Path dataDir;
  @TempDir Path pluginsDir;

  @Test
  void brokenPluginsAreReportedAndTheGatewayServes() throws Exception {
    String pkg = "test.plugins";
    TestPlugins.jar(
        pluginsDir,
        "no-ctor",
        ">=1.0.0",
        Map.of(
            pkg + ".NoCtor",
            TestPlugins.runtimeSource(pkg, "NoCtor", "no-ctor", "  private NoCtor() {}")),
        List.of(pkg + ".NoCtor"));
    TestPlugins.jar(
        pluginsDir,
        "bad-init",
        ">=1.0.0",
        Map.of(
            pkg + ".BadInit",
            TestPlugins.runtimeSource(
                pkg,
                "BadInit",
                "bad-init",
                "  static { if (true) throw new RuntimeException(\"boom in initializer\"); }")),
        List.of(pkg + ".BadInit"));
    TestPlugins.jar(
        pluginsDir,
        "future-spi",
        ">=9.0.0",
        Map.of(pkg + ".Future", TestPlugins.runtimeSource(pkg, "Future", "future", "")),
        List.of(pkg + ".Future"));
    TestPlugins.jar(
        pluginsDir,
        "dup-kind",
        ">=1.0.0",
        Map.of(pkg + ".Dup", TestPlugins.runtimeSource(pkg, "Dup", "mock", "")),
        List.of(pkg + ".Dup"));
    Map<String, String> good = new HashMap<>();
    good.put(pkg + ".Good", TestPlugins.runtimeSource(pkg, "Good", "good-test", ""));
    TestPlugins.jar(pluginsDir, "good-test", ">=1.0.0", good, List.of(pkg + ".Good"));
    Files.write(pluginsDir.resolve("garbage.jar"), new byte[] {1, 2, 3, 4, 5});

    try (Gateway gateway = Gateway.start(dataDir, "--plugins-dir", pluginsDir.toString())) {
      JsonNode plugins = gateway.get("/v1/management/plugins").json().get("plugins");
      Map<String, JsonNode> byId = new HashMap<>();
      plugins.forEach(p -> byId.put(p.get("id").asText(), p));
      assertThat(byId.get("no-ctor").get("error").asText()).contains("could not be created");
      assertThat(byId.get("bad-init").get("error").asText()).contains("boom in initializer");
      assertThat(byId.get("future-spi").get("error").asText()).contains("SPI");
      assertThat(byId.get("dup-kind").get("error").asText())
          .contains("duplicate runtime kind 'mock'");
      assertThat(byId.get("good-test").get("error").isNull()).isTrue();
      assertThat(byId.get("good-test").get("extensions").toString())
          .contains("engine-runtime:good-test");
      assertThat(plugins.toString()).contains("garbage.jar");
      JsonNode status = gateway.get("/v1/management/status").json();
      assertThat(status.get("runtimes").toString())
          .contains("good-test")
          .contains("mock")
          .doesNotContain("no-ctor");

      String id = gateway.startEngine("{\"model\":\"still-serving\",\"runtime\":\"mock\"}");
      gateway.awaitState(id, "READY", Duration.ofSeconds(30));
      Http.Response chat =
          gateway.post(
              "/v1/chat/completions",
              "{\"model\":\"still-serving\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      assertThat(chat.status()).isEqualTo(200);
      String failing = gateway.startEngine("{\"model\":\"x\",\"runtime\":\"good-test\"}");
      JsonNode error = gateway.awaitState(failing, "ERROR", Duration.ofSeconds(30));
      assertThat(error.get("last_error").asText()).contains("launch failed");
    }
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }
}

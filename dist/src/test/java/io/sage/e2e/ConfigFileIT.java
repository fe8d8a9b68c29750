package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config file through the real {@code bin/sage gateway start}: a good file takes effect (from
 * the data dir, and by {@code --config}), a bad key or value stops the start with one line naming
 * it, before any gateway process runs.
 */
class ConfigFileIT {

  @Test
  void aConfigFileInTheDataDirTakesEffect(@TempDir Path dataDir) throws IOException {
    int first = Ports.free();
    Files.writeString(
        dataDir.resolve("sage.yml"),
        "# written by ConfigFileIT\n"
            + "engines:\n"
            + "  port-range-start: "
            + first
            + "\n  port-range-end: "
            + (first + 20)
            + "\nmetrics:\n  enabled: false\n");
    try (Gateway gateway = Gateway.start(dataDir)) {
      String id = gateway.startEngine("{\"model\":\"configured\",\"runtime\":\"mock\"}");
      JsonNode ready = gateway.awaitState(id, "READY", Duration.ofSeconds(60));
      assertThat(ready.get("port").asInt()).isBetween(first, first + 20);
      assertThat(gateway.get("/metrics").status()).isEqualTo(404);
    } finally {
      assertThat(Leftovers.killAll(dataDir)).isZero();
    }
  }

  @Test
  void configNamesAFileWhoseServerPortIsUsed(@TempDir Path dataDir, @TempDir Path etc)
      throws IOException {
    int port = Ports.free();
    Path file = etc.resolve("gateway.yml");
    Files.writeString(file, "server:\n  port: " + port + "\n");
    try {
      Sage.Result started =
          Sage.run(
              Map.of(),
              "gateway",
              "start",
              "--data-dir",
              dataDir.toString(),
              "--config",
              file.toString());
      assertThat(started.exitCode()).as(started.all()).isZero();
      assertThat(started.stdout()).contains("gateway ready at http://127.0.0.1:" + port);
      assertThat(Http.get("http://127.0.0.1:" + port + "/health").status()).isEqualTo(200);
    } finally {
      Sage.run(Map.of(), 120, "gateway", "stop", "--data-dir", dataDir.toString(), "--force");
      assertThat(Leftovers.killAll(dataDir)).isZero();
    }
  }

  @Test
  void anUnknownKeyStopsTheStartWithOneLineNamingIt(@TempDir Path dataDir, @TempDir Path etc)
      throws IOException {
    Path file = etc.resolve("bad.yml");
    Files.writeString(file, "health:\n  intervall: 5s\n");

    Sage.Result refused =
        Sage.run(
            Map.of(),
            "gateway",
            "start",
            "--data-dir",
            dataDir.toString(),
            "--config",
            file.toString());

    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.all().strip())
        .startsWith("error: config " + file)
        .contains("health.intervall: unknown key (known: interval, starting-interval")
        .doesNotContain("Exception")
        .doesNotContain("\tat ")
        .doesNotContain("\n");
    assertThat(dataDir.resolve("gateway.pid")).doesNotExist();
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  @Test
  void aBadValueInTheDataDirFileStopsTheStart(@TempDir Path dataDir) throws IOException {
    Files.writeString(dataDir.resolve("sage.yml"), "restart:\n  window: ten minutes\n");

    Sage.Result refused = Sage.run(Map.of(), "gateway", "start", "--data-dir", dataDir.toString());

    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.all().strip())
        .contains("restart.window: must be a duration like 250ms, 5s, 10m, 1h or 1d")
        .contains("'ten minutes'")
        .doesNotContain("\n");
    assertThat(dataDir.resolve("gateway.pid")).doesNotExist();
  }
}

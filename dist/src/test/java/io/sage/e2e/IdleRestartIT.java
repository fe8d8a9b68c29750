package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gateway restart keeps idle declared models down and running ones up. */
class IdleRestartIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void aRestartKeepsIdleModelsDownAndRunningOnesUp(@TempDir Path dataDir) throws IOException {
    Files.writeString(
        dataDir.resolve("sage.yml"),
        "models:\n"
            + "  up:\n    model: u\n    runtime: mock\n"
            + "  lazy:\n    model: l\n    runtime: mock\n    on_demand: true\n"
            + "    idle_timeout: 2s\n");
    Gateway gateway = Gateway.start(dataDir);
    try {
      DeclaredModelsIT.awaitModel(gateway, "up", "running");
      assertThat(gateway.post("/v1/chat/completions", DeclaredModelsIT.chat("lazy")).status())
          .isEqualTo(200);
      DeclaredModelsIT.awaitModel(gateway, "lazy", "idle");
      gateway.close();
      gateway = gateway.restart();
      DeclaredModelsIT.awaitModel(gateway, "up", "running");
      assertThat(DeclaredModelsIT.liveEngines(gateway, "lazy")).isEmpty();
      assertThat(DeclaredModelsIT.model(gateway, "lazy").path("state").asText()).isEqualTo("idle");
    } finally {
      gateway.close();
      assertThat(Leftovers.killAll(dataDir)).isZero();
    }
  }
}

package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.EngineEntry;
import io.sage.host.fake.ManualScheduler;
import io.sage.host.process.EngineLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineLogRotationTest {
  @TempDir Path dir;

  @Test
  void everyThirtySecondsAnOversizedLogIsRotated() throws Exception {
    SupervisionHarness h = new SupervisionHarness(dir);
    EngineEntry entry = h.launch("m");
    EngineLogs small = new EngineLogs(dir.resolve("engines"), 100, 3);
    ManualScheduler scheduler = h.scheduler;
    EngineLogRotation rotation = new EngineLogRotation(h.registry, small, scheduler);
    rotation.start();
    Path log = small.logFile(entry.id());
    Files.writeString(log, "x".repeat(200) + "\n", StandardOpenOption.APPEND);

    scheduler.advance(Duration.ofSeconds(29));
    assertThat(Files.exists(log.resolveSibling("engine.log.1"))).isFalse();
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(Files.exists(log.resolveSibling("engine.log.1"))).isTrue();
    assertThat(Files.size(log)).isZero();
  }
}

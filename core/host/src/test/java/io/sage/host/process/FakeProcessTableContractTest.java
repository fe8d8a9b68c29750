package io.sage.host.process;

import io.sage.host.fake.FakeProcessTable;
import io.sage.host.fake.ManualClock;
import io.sage.spi.engine.LaunchCommand;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The contract against the in-memory fake the supervision tests use. */
class FakeProcessTableContractTest extends ProcessTableContract {
  private final FakeProcessTable table =
      new FakeProcessTable(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));

  @Override
  ProcessTable table() {
    return table;
  }

  @Override
  ProcessLauncher launcher() {
    return table;
  }

  @Override
  LaunchCommand longRunning(Path dir) {
    return new LaunchCommand(List.of("fake-engine", "--port", "41000"), Map.of(), dir);
  }

  @Override
  ManagedProcess launchWithChild(String engineId) {
    ManagedProcess p = launch(engineId);
    table.fork(p.pid());
    return p;
  }
}

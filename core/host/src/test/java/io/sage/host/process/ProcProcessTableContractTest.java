package io.sage.host.process;

import io.sage.spi.engine.LaunchCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The contract against real processes. */
class ProcProcessTableContractTest extends ProcessTableContract {
  private final ProcProcessTable table = new ProcProcessTable();
  private final SetsidProcessLauncher launcher = new SetsidProcessLauncher();

  @Override
  ProcessTable table() {
    return table;
  }

  @Override
  ProcessLauncher launcher() {
    return launcher;
  }

  @Override
  LaunchCommand longRunning(Path dir) {
    return new LaunchCommand(List.of("sleep", "60"), Map.of(), dir);
  }

  /** A shell that starts a child, then execs another program in its own place. */
  @Override
  ManagedProcess launchWithChild(String engineId) throws Exception {
    ManagedProcess p =
        launch(
            engineId,
            new LaunchCommand(List.of("/bin/sh", "-c", "sleep 60 & exec sleep 61"), Map.of(), dir));
    eventually(() -> table.commandLine(p.pid()).map("sleep 61"::equals).orElse(false));
    eventually(() -> table.groupMembers(p.pid()).size() == 2);
    return p;
  }
}

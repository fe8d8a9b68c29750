package io.sage.host.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.engine.LaunchCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessGroupsTest {
  @TempDir Path dir;
  private ManagedProcess process;

  @AfterEach
  void kill() {
    if (process != null) {
      ProcessGroups.signal(process.pid(), "KILL");
      process.exit().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  @Test
  void anEngineBehindAnExecWrapperIsRecognisedByItsEngineIdNotByItsChangedCommandLine()
      throws Exception {
    // a wrapper script that execs the real program, as a vllm entry script or a venv wrapper does
    LaunchCommand wrapper =
        new LaunchCommand(List.of("/bin/sh", "-c", "exec sleep 30"), Map.of(), dir);
    process = new ProcessLauncher().launch("eng-0123456789ab", wrapper, dir.resolve("engine.log"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!ProcessGroups.commandLine(process.pid()).orElse("").startsWith("sleep")
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(ProcessGroups.commandLine(process.pid())).hasValue("sleep 30");

    assertThat(ProcessGroups.identify(process.pid(), process.startTime(), process.commandLine()))
        .isEmpty();
    assertThat(
            ProcessGroups.identify(
                process.pid(), process.startTime(), process.commandLine(), "eng-0123456789ab"))
        .isPresent();
    assertThat(
            ProcessGroups.identify(
                process.pid(), process.startTime(), process.commandLine(), "eng-ffffffffffff"))
        .isEmpty();
    // a recycled pid has another start time
    assertThat(
            ProcessGroups.identify(
                process.pid(),
                process.startTime().minusSeconds(60),
                process.commandLine(),
                "eng-0123456789ab"))
        .isEmpty();
  }
}

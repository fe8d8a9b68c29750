package io.sage.host.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.engine.ProcessIdentity;
import io.sage.host.process.ProcessTable.Signal;
import io.sage.spi.engine.LaunchCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real table and launcher against real processes: /proc, setsid and kill. */
class ProcProcessTableTest {
  private final ProcProcessTable table = new ProcProcessTable();
  private final SetsidProcessLauncher launcher = new SetsidProcessLauncher();
  @TempDir Path dir;
  private ManagedProcess process;

  @AfterEach
  void kill() {
    if (process != null && !table.groupMembers(process.pid()).isEmpty()) {
      table.signalGroup(process.pid(), Signal.KILL);
      process.exit().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  @Test
  void anEngineBehindAnExecWrapperIsRecognisedByItsEngineIdNotByItsChangedCommandLine()
      throws Exception {
    // a wrapper script that execs the real program, as a vllm entry script or a venv wrapper does
    LaunchCommand wrapper =
        new LaunchCommand(List.of("/bin/sh", "-c", "exec sleep 30"), Map.of(), dir);
    process = launcher.launch("eng-0123456789ab", wrapper, dir.resolve("engine.log"));
    waitFor(() -> table.commandLine(process.pid()).orElse("").startsWith("sleep"));
    assertThat(table.commandLine(process.pid())).hasValue("sleep 30");
    ProcessIdentification identification = new ProcessIdentification(table);
    ProcessIdentity recorded = process.identity();

    assertThat(identification.identify(recorded, null)).isEmpty();
    assertThat(identification.identify(recorded, "eng-0123456789ab")).isPresent();
    assertThat(identification.identify(recorded, "eng-ffffffffffff")).isEmpty();
    // a recycled pid has another start time
    ProcessIdentity older =
        new ProcessIdentity(
            recorded.pid(), recorded.startTime().minusSeconds(60), recorded.commandLine());
    assertThat(identification.identify(older, "eng-0123456789ab")).isEmpty();
  }

  @Test
  void theEngineLeadsItsOwnGroupAndSigkillToTheGroupLeavesNoForkedChild() throws Exception {
    LaunchCommand forking =
        new LaunchCommand(List.of("/bin/sh", "-c", "sleep 30 & sleep 30 & wait"), Map.of(), dir);
    process = launcher.launch("eng-00000000000a", forking, dir.resolve("engine.log"));
    waitFor(() -> table.groupMembers(process.pid()).size() == 3);
    assertThat(table.hasEnvironment(process.pid(), "SAGE_ENGINE_ID=eng-00000000000a")).isTrue();
    assertThat(table.find(process.pid())).isPresent();

    table.signalGroup(process.pid(), Signal.KILL);

    waitFor(() -> table.groupMembers(process.pid()).isEmpty());
    assertThat(process.exit().get(10, TimeUnit.SECONDS)).hasValue(137);
    assertThat(table.find(process.pid())).isEmpty();
    assertThat(table.onExit(process.pid())).isDone();
  }

  @Test
  void outputGoesStraightToTheLogFile() throws Exception {
    LaunchCommand echo = new LaunchCommand(List.of("/bin/echo", "hello log"), Map.of(), dir);
    Path log = dir.resolve("logs").resolve("engine.log");
    process = launcher.launch("eng-00000000000b", echo, log);
    assertThat(process.exit().get(10, TimeUnit.SECONDS)).hasValue(0);
    assertThat(Files.readString(log)).isEqualTo("hello log\n");
  }

  @Test
  void neverSignalsGroupZeroOrInit() {
    assertThatThrownBy(() -> table.signalGroup(1, Signal.TERM))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> table.signalGroup(0, Signal.KILL))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}

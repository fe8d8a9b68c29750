package io.sage.host.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineLogsTest {
  private static final String ID = "eng-000000000001";
  @TempDir Path dir;

  @Test
  void notesAreMarkedAsTheGatewaysAndAppended() {
    EngineLogs logs = new EngineLogs(dir, 1 << 20, 3);
    logs.note(ID, "first");
    logs.note(ID, "second");
    assertThat(logs.tail(ID, 10)).containsExactly("[sage] first", "[sage] second");
  }

  @Test
  void tailGivesTheLastLinesOnly() throws Exception {
    EngineLogs logs = new EngineLogs(dir, 1 << 20, 3);
    Files.createDirectories(logs.engineDir(ID));
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= 5000; i++) {
      text.append("line ").append(i).append('\n');
    }
    Files.writeString(logs.logFile(ID), text);

    assertThat(logs.tail(ID, 3)).containsExactly("line 4998", "line 4999", "line 5000");
    assertThat(logs.tail(ID, 0)).isEmpty();
    assertThat(logs.tail("eng-ffffffffffff", 3)).isEmpty();
  }

  @Test
  void theLastLineIsTheEnginesOwnAndShort() throws Exception {
    EngineLogs logs = new EngineLogs(dir, 1 << 20, 3);
    Files.createDirectories(logs.engineDir(ID));
    Files.writeString(logs.logFile(ID), "loading " + "w".repeat(400) + "\n\n");
    logs.note(ID, "health check failed (1/3): timed out");

    String last = logs.lastLine(ID);

    assertThat(last).startsWith("loading www").endsWith("…").hasSize(301);
    assertThat(new EngineLogs(dir, 1, 1).lastLine("eng-ffffffffffff")).isEmpty();
  }

  @Test
  void rotationKeepsTheConfiguredNumberOfOldLogs() throws Exception {
    EngineLogs logs = new EngineLogs(dir, 10, 3);
    Path log = logs.logFile(ID);
    for (int i = 1; i <= 5; i++) {
      logs.note(ID, "generation " + i);
      logs.rotateIfNeeded(ID);
    }

    assertThat(Files.size(log)).isZero();
    assertThat(Files.readString(log.resolveSibling("engine.log.1"))).contains("generation 5");
    assertThat(Files.readString(log.resolveSibling("engine.log.2"))).contains("generation 4");
    assertThat(Files.readString(log.resolveSibling("engine.log.3"))).contains("generation 3");
    assertThat(Files.exists(log.resolveSibling("engine.log.4"))).isFalse();
  }

  @Test
  void aSmallLogIsLeftAlone() throws Exception {
    EngineLogs logs = new EngineLogs(dir, 1 << 20, 3);
    logs.note(ID, "small");
    logs.rotateIfNeeded(ID);
    logs.rotateIfNeeded("eng-ffffffffffff");
    assertThat(logs.tail(ID, 5)).isEqualTo(List.of("[sage] small"));
    assertThat(Files.exists(logs.logFile(ID).resolveSibling("engine.log.1"))).isFalse();
  }

  @Test
  void anEngineKeepsWritingToTheSameFileAfterRotation() throws Exception {
    EngineLogs logs = new EngineLogs(dir, 10, 3);
    logs.note(ID, "before rotation");
    logs.rotateIfNeeded(ID);
    Files.writeString(logs.logFile(ID), "after\n", StandardOpenOption.APPEND);
    assertThat(logs.tail(ID, 5)).containsExactly("after");
  }
}

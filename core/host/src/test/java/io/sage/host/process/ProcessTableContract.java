package io.sage.host.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.process.ProcessTable.Signal;
import io.sage.spi.engine.LaunchCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What supervision relies on from a process table and launcher, run against the real one (/proc,
 * setsid, kill) and the in-memory fake, so the fake cannot drift from the OS it stands in for.
 */
abstract class ProcessTableContract {
  @TempDir Path dir;
  private final List<ManagedProcess> launched = new ArrayList<>();

  abstract ProcessTable table();

  abstract ProcessLauncher launcher();

  /** A command that runs until signalled, in the launcher's terms. */
  abstract LaunchCommand longRunning(Path dir);

  /** Launches a process that forked a child into its group; returns when both run. */
  abstract ManagedProcess launchWithChild(String engineId) throws Exception;

  @AfterEach
  void cleanUp() {
    for (ManagedProcess p : launched) {
      if (!table().groupMembers(p.pid()).isEmpty()) {
        table().signalGroup(p.pid(), Signal.KILL);
      }
    }
  }

  ManagedProcess launch(String engineId) {
    return launch(engineId, longRunning(dir));
  }

  ManagedProcess launch(String engineId, LaunchCommand command) {
    ManagedProcess p = launcher().launch(engineId, command, dir.resolve(engineId + ".log"));
    launched.add(p);
    return p;
  }

  static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void aLaunchedProcessIsFoundWithItsIdentity() {
    ManagedProcess p = launch("eng-00000000c001");

    assertThat(p.isAlive()).isTrue();
    assertThat(p.identity().isKnown()).isTrue();
    ProcessTable.ProcessInfo info = table().find(p.pid()).orElseThrow();
    assertThat(info.pid()).isEqualTo(p.pid());
    assertThat(info.startTime()).isPresent();
    assertThat(
            Math.abs(
                info.startTime().get().toEpochMilli() - p.identity().startTime().toEpochMilli()))
        .isLessThan(1000);
  }

  @Test
  void itLeadsItsOwnGroupAndCarriesItsEngineId() {
    ManagedProcess p = launch("eng-00000000c002");

    assertThat(table().groupMembers(p.pid())).containsExactly(p.pid());
    assertThat(table().hasEnvironment(p.pid(), "SAGE_ENGINE_ID=eng-00000000c002")).isTrue();
    assertThat(table().hasEnvironment(p.pid(), "SAGE_ENGINE_ID=eng-ffffffffffff")).isFalse();
  }

  @Test
  void processesAreFoundByTheVariableInTheirEnvironment() throws Exception {
    ManagedProcess p = launchWithChild("eng-00000000c006");

    List<ProcessTable.TaggedProcess> found =
        table().withEnvironment(ProcessLauncher.ENGINE_ID_ENV).stream()
            .filter(t -> t.value().equals("eng-00000000c006"))
            .toList();

    assertThat(found).hasSize(2).allMatch(t -> t.pgid() == p.pid());
    assertThat(found).filteredOn(ProcessTable.TaggedProcess::leadsGroup).hasSize(1);
    assertThat(
            found.stream().filter(ProcessTable.TaggedProcess::leadsGroup).findFirst().get().pid())
        .isEqualTo(p.pid());
    assertThat(table().withEnvironment("SAGE_NO_SUCH_VARIABLE_EVER")).isEmpty();
  }

  @Test
  void sigtermEndsTheWholeGroup() throws Exception {
    ManagedProcess p = launchWithChild("eng-00000000c003");
    assertThat(table().groupMembers(p.pid())).hasSize(2);

    table().signalGroup(p.pid(), Signal.TERM);

    eventually(() -> table().groupMembers(p.pid()).isEmpty());
    assertThat(p.exit().get(10, TimeUnit.SECONDS)).isPresent();
    eventually(() -> table().find(p.pid()).isEmpty());
    assertThat(table().onExit(p.pid()).get(10, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void sigkillEndsItWithCode137() throws Exception {
    ManagedProcess p = launch("eng-00000000c004");
    table().signalGroup(p.pid(), Signal.KILL);
    assertThat(p.exit().get(10, TimeUnit.SECONDS)).hasValue(137);
    eventually(() -> !p.isAlive());
  }

  @Test
  void anAdoptedProcessReportsItsExitWithoutACode() throws Exception {
    ManagedProcess p = launch("eng-00000000c005");
    ManagedProcess adopted = ManagedProcess.adopted(p.identity(), table());
    assertThat(adopted.isAlive()).isTrue();

    table().signalGroup(p.pid(), Signal.KILL);

    assertThat(adopted.exit().get(10, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void anUnknownPidIsNotFound() {
    long unlikely = 4_000_000L;
    assertThat(table().find(unlikely)).isEmpty();
    assertThat(table().groupMembers(unlikely)).isEmpty();
    assertThat(table().hasEnvironment(unlikely, "A=B")).isFalse();
    assertThat(table().onExit(unlikely)).isDone();
  }

  @Test
  void initAndTheCallersGroupAreNeverSignalled() {
    assertThatThrownBy(() -> table().signalGroup(1, Signal.KILL))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> table().signalGroup(0, Signal.TERM))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

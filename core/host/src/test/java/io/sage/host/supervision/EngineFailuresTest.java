package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.fake.FakeProcessTable.FakeProcess;
import io.sage.host.store.InMemoryEngineStore;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failure handling as supervision wires it, on the manual scheduler and the fake process table. */
class EngineFailuresTest {
  /** A store whose transitions fail while {@code broken} is set. */
  static final class BreakableStore extends InMemoryEngineStore {
    volatile boolean broken;

    @Override
    public synchronized void transition(EngineRecord engine, EngineEvent event) {
      if (broken) {
        throw new IllegalStateException("disk full");
      }
      super.transition(engine, event);
    }
  }

  @TempDir Path dir;
  final BreakableStore store = new BreakableStore();
  SupervisionHarness h;
  EngineFailures failures;

  @BeforeEach
  void setUp() throws Exception {
    h = new SupervisionHarness(dir, SupervisionConfig.defaults(), store);
    Field field = Supervision.class.getDeclaredField("failures");
    field.setAccessible(true);
    failures = (EngineFailures) field.get(h.supervision);
    h.start();
  }

  @Test
  void aFailureIsErrorWithItsReasonThenTheProcessIsKilledThenItRestarts() {
    EngineEntry entry = h.launch("m");
    FakeProcess process = h.process(entry);
    long firstPid = process.pid;

    failures.fail(entry, EngineState.STARTING, "startup timeout: not ready after 30 s");

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError()).isEqualTo("startup timeout: not ready after 30 s");
    h.scheduler.advanceUntil(() -> !process.alive(), Duration.ofSeconds(15));
    assertThat(process.alive()).isFalse();

    h.awaitState(entry, EngineState.STARTING, Duration.ofSeconds(5));
    assertThat(entry.record().process().pid()).isNotEqualTo(firstPid);
    assertThat(h.history(entry)).contains("STARTING->ERROR: startup timeout: not ready after 30 s");
  }

  @Test
  void nothingHappensWhenTheStateMovedMeanwhile() {
    EngineEntry entry = h.ready("m");
    FakeProcess process = h.process(entry);
    int events = h.history(entry).size();

    failures.fail(entry, EngineState.STARTING, "late startup timeout");
    h.scheduler.advance(Duration.ofSeconds(5));

    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(entry.record().lastError()).isNotEqualTo("late startup timeout");
    assertThat(process.alive()).isTrue();
    assertThat(h.history(entry)).hasSize(events);
  }

  @Test
  void aFailureThatCannotBeRecordedLeavesTheEngineAloneAndThrowsNothing() {
    EngineEntry entry = h.ready("m");
    FakeProcess process = h.process(entry);
    store.broken = true;

    assertThatCode(() -> failures.fail(entry, EngineState.READY, "health checks failed"))
        .doesNotThrowAnyException();
    store.broken = false;
    h.scheduler.runDue();

    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(process.alive()).isTrue();
  }

  @Test
  void reconciliationRelaunchesAtOnceWithoutBackoff() {
    EngineEntry entry = h.ready("m");
    int launches = h.processes.launches().size();

    failures.failAndRelaunch(entry, EngineState.READY, "gateway restarted; process gone");

    assertThat(h.history(entry))
        .contains("READY->ERROR: gateway restarted; process gone")
        .last()
        .asString()
        .startsWith("ERROR->STARTING");
    h.scheduler.runDue();
    assertThat(h.processes.launches()).hasSizeGreaterThan(launches);
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
  }

  @Test
  void reconciliationLeavesAnEngineThatShouldNotRunInError() {
    EngineEntry entry = h.ready("m");
    h.registry.update(entry, r -> r.withDesiredState(DesiredState.STOPPED, h.scheduler.now()));

    failures.failAndRelaunch(entry, EngineState.READY, "gateway restarted; process gone");
    h.scheduler.advance(Duration.ofSeconds(5));

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError()).isEqualTo("gateway restarted; process gone");
  }

  @Test
  void reconciliationOfAnEngineThatMovedDoesNothing() {
    EngineEntry entry = h.ready("m");
    failures.failAndRelaunch(entry, EngineState.STARTING, "stale");
    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(h.history(entry)).noneMatch(line -> line.contains("stale"));
  }

  private void engineSays(EngineEntry entry, String line) throws IOException {
    Files.createDirectories(h.logs.engineDir(entry.id()));
    Files.writeString(
        h.logs.logFile(entry.id()),
        line + System.lineSeparator(),
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  @Test
  void theLastLogLineNeverShowsTheEngineKey() throws IOException {
    EngineEntry entry = h.launch("m");
    String key = entry.record().engineApiKey();
    assertThat(key).isNotEmpty();
    engineSays(entry, "vllm serve m --api-key " + key + " --port 8000");

    assertThat(failures.lastLogLine(entry.record()))
        .isEqualTo("vllm serve m --api-key **** --port 8000");
  }

  @Test
  void aLastLogLineWithoutTheKeyIsUnchanged() throws IOException {
    EngineEntry entry = h.launch("m");
    engineSays(entry, "CUDA out of memory");
    h.logs.note(entry.id(), "a note of the gateway's own is not the engine's last line");
    assertThat(failures.lastLogLine(entry.record())).isEqualTo("CUDA out of memory");
  }
}

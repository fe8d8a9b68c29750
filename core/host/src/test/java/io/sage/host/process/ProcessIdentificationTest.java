package io.sage.host.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.ProcessIdentity;
import io.sage.host.fake.FakeProcessTable;
import io.sage.host.fake.FakeProcessTable.FakeProcess;
import io.sage.host.fake.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Adoption identity: pid + start time + (command line or engine id in the environment). */
class ProcessIdentificationTest {
  private static final String ID = "eng-0123456789ab";
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  final FakeProcessTable table = new FakeProcessTable(clock);
  final ProcessIdentification identification = new ProcessIdentification(table);

  FakeProcess engine(String commandLine) {
    return table.start(commandLine, Map.of(ProcessLauncher.ENGINE_ID_ENV, ID), 0);
  }

  @Test
  void theSamePidStartTimeAndCommandLineIsTheEngine() {
    FakeProcess p = engine("vllm serve m");
    assertThat(
            identification.identify(new ProcessIdentity(p.pid, p.startTime, "vllm serve m"), null))
        .isPresent();
  }

  @Test
  void theStartTimeMayDifferByLessThanASecond() {
    FakeProcess p = engine("vllm serve m");
    ProcessIdentity close = new ProcessIdentity(p.pid, p.startTime.plusMillis(999), "vllm serve m");
    ProcessIdentity far = new ProcessIdentity(p.pid, p.startTime.plusMillis(1000), "vllm serve m");
    assertThat(identification.identify(close, null)).isPresent();
    assertThat(identification.identify(far, ID)).isEmpty();
  }

  @Test
  void anotherCommandLineIsTheEngineOnlyWhenItsEnvironmentNamesIt() {
    FakeProcess p = engine("python3 -m vllm.entrypoints.openai.api_server");
    ProcessIdentity recorded = new ProcessIdentity(p.pid, p.startTime, "vllm serve m");
    assertThat(identification.identify(recorded, ID)).isPresent();
    assertThat(identification.identify(recorded, "eng-ffffffffffff")).isEmpty();
    assertThat(identification.identify(recorded, null)).isEmpty();
  }

  @Test
  void aRecycledPidHasAnotherStartTime() {
    clock.advance(Duration.ofHours(1));
    FakeProcess p = engine("vllm serve m");
    ProcessIdentity recorded =
        new ProcessIdentity(p.pid, p.startTime.minus(Duration.ofHours(1)), "vllm serve m");
    assertThat(identification.identify(recorded, ID)).isEmpty();
  }

  @Test
  void aDeadProcessIsNoEngine() {
    FakeProcess p = engine("vllm serve m");
    table.exit(p.pid, 0);
    assertThat(identification.identify(new ProcessIdentity(p.pid, p.startTime, "vllm serve m"), ID))
        .isEmpty();
  }

  @Test
  void nothingRecordedIsNothingFound() {
    assertThat(identification.identify(ProcessIdentity.NONE, ID)).isEmpty();
    assertThat(identification.identify(null, ID)).isEmpty();
    assertThat(identification.identify(new ProcessIdentity(1000, null, "x"), ID)).isEmpty();
  }
}

package io.sage.host.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProcessIdentityTest {
  private static final Instant STARTED = Instant.parse("2026-01-01T10:00:00Z");

  @Test
  void aNegativePidIsRefused() {
    assertThatThrownBy(() -> new ProcessIdentity(-1, STARTED, "java"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pid must be >= 0, got -1");
  }

  @Test
  void noneIsNotKnownAndStoresNoPid() {
    assertThat(ProcessIdentity.NONE.isKnown()).isFalse();
    assertThat(ProcessIdentity.NONE.pidOrNull()).isNull();
    assertThat(ProcessIdentity.NONE.commandLine()).isNull();
  }

  @Test
  void aProcessIsKnownOnlyWithPidStartTimeAndCommandLine() {
    assertThat(new ProcessIdentity(4242, STARTED, "java -jar x").isKnown()).isTrue();
    assertThat(new ProcessIdentity(4242, null, "java -jar x").isKnown()).isFalse();
    assertThat(new ProcessIdentity(4242, STARTED, null).isKnown()).isFalse();
    assertThat(new ProcessIdentity(0, STARTED, "java").isKnown()).isFalse();
  }

  @Test
  void initIsNeverAKnownProcess() {
    // signalling pid 1 would signal init; it must never count as an engine's process
    assertThat(new ProcessIdentity(1, STARTED, "/sbin/init").isKnown()).isFalse();
    assertThat(new ProcessIdentity(2, STARTED, "kthreadd").isKnown()).isTrue();
  }

  @Test
  void fromStoredColumnsWithoutAnythingIsNone() {
    assertThat(ProcessIdentity.of(null, null, null)).isSameAs(ProcessIdentity.NONE);
    assertThat(ProcessIdentity.of(null, STARTED, null)).isSameAs(ProcessIdentity.NONE);
  }

  @Test
  void aCommandLineWithoutAPidIsKeptAsAJobHandle() {
    ProcessIdentity stored = ProcessIdentity.of(null, STARTED, "job:77");
    assertThat(stored.pid()).isZero();
    assertThat(stored.startTime()).isNull();
    assertThat(stored.commandLine()).isEqualTo("job:77");
    assertThat(stored.isKnown()).isFalse();
    assertThat(stored).isEqualTo(ProcessIdentity.job("job:77"));
  }

  @Test
  void storedColumnsWithAPidRoundTrip() {
    ProcessIdentity stored = ProcessIdentity.of(99L, STARTED, "python -m vllm");
    assertThat(stored).isEqualTo(new ProcessIdentity(99, STARTED, "python -m vllm"));
    assertThat(stored.pidOrNull()).isEqualTo(99L);
    assertThat(ProcessIdentity.of(stored.pidOrNull(), stored.startTime(), stored.commandLine()))
        .isEqualTo(stored);
  }

  @Test
  void aJobHasNoPidToStore() {
    ProcessIdentity job = ProcessIdentity.job("job:5");
    assertThat(job.pidOrNull()).isNull();
    assertThat(ProcessIdentity.of(job.pidOrNull(), job.startTime(), job.commandLine()))
        .isEqualTo(job);
  }

  @Test
  void aStoredNegativePidIsRefused() {
    assertThatThrownBy(() -> ProcessIdentity.of(-7L, STARTED, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

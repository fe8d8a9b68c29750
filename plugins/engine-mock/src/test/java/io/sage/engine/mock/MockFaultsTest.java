package io.sage.engine.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MockFaultsTest {
  private final AtomicLong now = new AtomicLong(1_000);

  private MockFaults faults(Map<String, String> options) {
    return new MockFaults(
        MockOptions.parse(options).options().orElseThrow(),
        now.get(),
        status -> {
          throw new AssertionError("no exit expected");
        },
        now::get);
  }

  @Test
  void failingHealthCountsFromTheFirstHealthyAnswer() {
    MockFaults faults = faults(Map.of("fail_health_after_s", "2"));
    now.addAndGet(10_000_000_000L); // a slow start: 10 s before anyone asked
    assertThat(faults.healthFailing()).isFalse();
    now.addAndGet(1_999_999_999L);
    assertThat(faults.healthFailing()).isFalse();
    now.addAndGet(1);
    assertThat(faults.healthFailing()).isTrue();
  }

  @Test
  void zeroIsNeverHealthyAndUnsetIsAlwaysHealthy() {
    assertThat(faults(Map.of("fail_health_after_s", "0")).healthFailing()).isTrue();
    assertThat(faults(Map.of()).healthFailing()).isFalse();
  }

  @Test
  void startupDelayKeepsTheEngineLoadingUntilItHasPassed() {
    MockFaults slow = faults(Map.of("startup_delay_s", "3"));
    assertThat(slow.loading()).isTrue();
    now.addAndGet(2_999_999_999L);
    assertThat(slow.loading()).isTrue();
    now.addAndGet(1);
    assertThat(slow.loading()).isFalse();
  }

  @Test
  void withoutStartupDelayTheEngineIsNeverLoading() {
    assertThat(faults(Map.of()).loading()).isFalse();
  }

  @Test
  void aNegativeStartupDelayIsRefused() {
    assertThat(MockOptions.parse(Map.of("startup_delay_s", "-1")).problems())
        .containsExactly("option 'startup_delay_s' must be a number >= 0, got '-1'");
  }
}

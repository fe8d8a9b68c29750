package io.sage.engine.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MockFaultsTest {

  private static MockOptions options(Map<String, String> raw) {
    return MockOptions.parse(raw).options().orElseThrow();
  }

  @Test
  void startupDelayKeepsTheEngineLoadingUntilItHasPassed() {
    MockOptions slow = options(Map.of("startup_delay_s", "3"));
    assertThat(slow.startupDelay()).isEqualTo(Duration.ofSeconds(3));
    long now = System.nanoTime();
    assertThat(new MockFaults(slow, now, code -> {}).loading()).isTrue();
    assertThat(new MockFaults(slow, now - Duration.ofSeconds(4).toNanos(), code -> {}).loading())
        .isFalse();
  }

  @Test
  void withoutStartupDelayTheEngineIsNeverLoading() {
    MockOptions plain = options(Map.of());
    assertThat(plain.startupDelay()).isZero();
    assertThat(new MockFaults(plain, System.nanoTime(), code -> {}).loading()).isFalse();
  }

  @Test
  void aNegativeStartupDelayIsRefused() {
    assertThat(MockOptions.parse(Map.of("startup_delay_s", "-1")).problems())
        .containsExactly("option 'startup_delay_s' must be a number >= 0, got '-1'");
  }
}

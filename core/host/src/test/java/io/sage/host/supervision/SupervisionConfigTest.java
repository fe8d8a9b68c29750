package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SupervisionConfigTest {
  private static final Duration S = Duration.ofSeconds(1);

  private static SupervisionConfig config(
      int failureThreshold, int maxRestarts, Map<String, Duration> startup) {
    return new SupervisionConfig(S, S, S, failureThreshold, startup, S, S, S, S, maxRestarts, S);
  }

  @Test
  void theDefaultsAreTheSpecs() {
    SupervisionConfig d = SupervisionConfig.defaults();
    assertThat(d.healthInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.startingProbeInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(d.probeTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(d.failureThreshold()).isEqualTo(3);
    assertThat(d.startupTimeouts()).isEmpty();
    assertThat(d.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.stopGracePeriod()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.restartBackoffInitial()).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.restartBackoffMax()).isEqualTo(Duration.ofSeconds(60));
    assertThat(d.maxRestarts()).isEqualTo(5);
    assertThat(d.restartWindow()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void everyDurationIsRequiredAndNamed() {
    assertThatThrownBy(() -> new SupervisionConfig(null, S, S, 1, null, S, S, S, S, 0, S))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("healthInterval");
    assertThatThrownBy(() -> new SupervisionConfig(S, null, S, 1, null, S, S, S, S, 0, S))
        .hasMessage("startingProbeInterval");
    assertThatThrownBy(() -> new SupervisionConfig(S, S, null, 1, null, S, S, S, S, 0, S))
        .hasMessage("probeTimeout");
    assertThatThrownBy(() -> new SupervisionConfig(S, S, S, 1, null, null, S, S, S, 0, S))
        .hasMessage("drainTimeout");
    assertThatThrownBy(() -> new SupervisionConfig(S, S, S, 1, null, S, null, S, S, 0, S))
        .hasMessage("stopGracePeriod");
    assertThatThrownBy(() -> new SupervisionConfig(S, S, S, 1, null, S, S, null, S, 0, S))
        .hasMessage("restartBackoffInitial");
    assertThatThrownBy(() -> new SupervisionConfig(S, S, S, 1, null, S, S, S, null, 0, S))
        .hasMessage("restartBackoffMax");
    assertThatThrownBy(() -> new SupervisionConfig(S, S, S, 1, null, S, S, S, S, 0, null))
        .hasMessage("restartWindow");
  }

  @Test
  void theFailureThresholdIsAtLeastOne() {
    assertThatThrownBy(() -> config(0, 5, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("failureThreshold must be at least 1");
    assertThatCode(() -> config(1, 5, null)).doesNotThrowAnyException();
  }

  @Test
  void maxRestartsMayBeZeroButNotNegative() {
    assertThatThrownBy(() -> config(3, -1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRestarts must be >= 0");
    assertThat(config(3, 0, null).maxRestarts()).isZero();
  }

  @Test
  void startupTimeoutsAreNeverNullAndAreACopy() {
    assertThat(config(3, 5, null).startupTimeouts()).isEmpty();
    Map<String, Duration> timeouts = new HashMap<>(Map.of("vllm", Duration.ofMinutes(15)));
    SupervisionConfig c = config(3, 5, timeouts);
    timeouts.put("mock", S);
    assertThat(c.startupTimeouts()).containsOnly(Map.entry("vllm", Duration.ofMinutes(15)));
  }
}

package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
  final SupervisionConfig config = SupervisionConfig.defaults();

  @Test
  void backoffDoublesWithJitterUpToTheCap() {
    RestartPolicy policy =
        new RestartPolicy(
            new SupervisionConfig(
                config.healthInterval(),
                config.startingProbeInterval(),
                config.probeTimeout(),
                3,
                Map.of(),
                config.drainTimeout(),
                config.stopGracePeriod(),
                Duration.ofSeconds(1),
                Duration.ofSeconds(60),
                100,
                Duration.ofMinutes(10)));
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    long[] expected = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
    for (long base : expected) {
      long delay = policy.next(now).orElseThrow().toMillis();
      assertThat(delay).isBetween((long) (base * 0.8), (long) (base * 1.2));
    }
  }

  @Test
  void givesUpAfterTheBudgetWithinTheWindowAndRecoversAfterIt() {
    RestartPolicy policy = new RestartPolicy(config);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 5; i++) {
      assertThat(policy.next(now.plusSeconds(i))).isPresent();
    }
    assertThat(policy.next(now.plusSeconds(60))).isEmpty();
    assertThat(policy.next(now.plus(Duration.ofMinutes(11)))).isPresent();
  }
}

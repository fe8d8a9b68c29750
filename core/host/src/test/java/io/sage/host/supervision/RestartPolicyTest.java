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

  @Test
  void theJitterStaysWithinEightyAndHundredTwentyPercent() {
    RestartPolicy low = new RestartPolicy(config, () -> 0.0);
    RestartPolicy high = new RestartPolicy(config, () -> 0.999_999);
    RestartPolicy middle = new RestartPolicy(config, () -> 0.5);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    assertThat(low.next(now)).hasValue(Duration.ofMillis(800));
    assertThat(high.next(now)).hasValue(Duration.ofMillis(1199));
    assertThat(middle.next(now)).hasValue(Duration.ofMillis(1000));
    assertThat(low.next(now)).hasValue(Duration.ofMillis(1600));
    assertThat(high.next(now)).hasValue(Duration.ofMillis(2399));
  }

  @Test
  void theCapHoldsWithJitterToo() {
    RestartPolicy high = new RestartPolicy(withBudget(100), () -> 0.999_999);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    Duration last = Duration.ZERO;
    for (int i = 0; i < 30; i++) {
      last = high.next(now).orElseThrow();
    }
    assertThat(last).isEqualTo(Duration.ofMillis(71_999));
  }

  @Test
  void anHourOfRestartsNeverOverflowsTheBackoff() {
    RestartPolicy policy = new RestartPolicy(withBudget(10_000), () -> 0.5);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 200; i++) {
      assertThat(policy.next(now).orElseThrow())
          .isEqualTo(i < 6 ? Duration.ofMillis(1000L << i) : Duration.ofSeconds(60));
    }
  }

  @Test
  void resetForgetsTheHistory() {
    RestartPolicy policy = new RestartPolicy(config, () -> 0.5);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 5; i++) {
      policy.next(now);
    }
    assertThat(policy.recentRestarts()).isEqualTo(5);
    assertThat(policy.next(now)).isEmpty();

    policy.reset();

    assertThat(policy.recentRestarts()).isZero();
    assertThat(policy.next(now)).hasValue(Duration.ofSeconds(1));
  }

  @Test
  void theWindowSlidesOneRestartAtATime() {
    RestartPolicy policy = new RestartPolicy(config, () -> 0.5);
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 5; i++) {
      assertThat(policy.next(t0.plus(Duration.ofMinutes(i)))).isPresent();
    }
    assertThat(policy.next(t0.plus(Duration.ofMinutes(9)))).isEmpty();
    // the first restart (t0) left the window; one more is allowed, then none again
    assertThat(policy.next(t0.plus(Duration.ofMinutes(10)).plusSeconds(1))).isPresent();
    assertThat(policy.next(t0.plus(Duration.ofMinutes(10)).plusSeconds(2))).isEmpty();
  }

  @Test
  void aBudgetOfZeroNeverRestarts() {
    RestartPolicy policy = new RestartPolicy(withBudget(0));
    assertThat(policy.next(Instant.parse("2026-01-01T00:00:00Z"))).isEmpty();
  }

  private SupervisionConfig withBudget(int maxRestarts) {
    return new SupervisionConfig(
        config.healthInterval(),
        config.startingProbeInterval(),
        config.probeTimeout(),
        3,
        Map.of(),
        config.drainTimeout(),
        config.stopGracePeriod(),
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        maxRestarts,
        Duration.ofMinutes(10));
  }
}

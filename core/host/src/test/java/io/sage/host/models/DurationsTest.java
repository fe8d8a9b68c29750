package io.sage.host.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void parsesEveryUnit() {
    assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).contains(Duration.ofSeconds(30));
    assertThat(Durations.parse("10m")).contains(Duration.ofMinutes(10));
    assertThat(Durations.parse("2h")).contains(Duration.ofHours(2));
    assertThat(Durations.parse("1d")).contains(Duration.ofDays(1));
    assertThat(Durations.parse("0s")).contains(Duration.ZERO);
  }

  @Test
  void toleratesSurroundingSpaceOnly() {
    assertThat(Durations.parse(" 5m ")).contains(Duration.ofMinutes(5));
    assertThat(Durations.parse("5 m")).isEmpty();
  }

  @Test
  void refusesWhatIsNotADuration() {
    assertThat(Durations.parse(null)).isEmpty();
    assertThat(Durations.parse("")).isEmpty();
    assertThat(Durations.parse("10")).isEmpty();
    assertThat(Durations.parse("m")).isEmpty();
    assertThat(Durations.parse("-5s")).isEmpty();
    assertThat(Durations.parse("1.5h")).isEmpty();
    assertThat(Durations.parse("10M")).isEmpty();
    assertThat(Durations.parse("10min")).isEmpty();
    assertThat(Durations.parse("PT10M")).isEmpty();
    assertThat(Durations.parse("1234567890s")).as("more than nine digits").isEmpty();
  }

  @Test
  void formatsWithTheLargestExactUnit() {
    assertThat(Durations.format(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofHours(3))).isEqualTo("3h");
    assertThat(Durations.format(Duration.ofHours(48))).isEqualTo("2d");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
  }

  @Test
  void formatThenParseGivesTheSameDuration() {
    for (Duration d :
        new Duration[] {
          Duration.ofMillis(1),
          Duration.ofMillis(999),
          Duration.ofSeconds(61),
          Duration.ofMinutes(61),
          Duration.ofHours(25),
          Duration.ofDays(7),
          Duration.ZERO
        }) {
      assertThat(Durations.parse(Durations.format(d))).as(d.toString()).contains(d);
    }
  }
}

package io.sage.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy =
      new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(5));

  @Test
  void retryAfterSecondsWinOverBackoff() {
    assertThat(policy.waitBefore(0, Optional.of("2"))).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void retryAfterIsCapped() {
    assertThat(policy.waitBefore(0, Optional.of("600"))).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void anHttpDateRetryAfterIsUnderstood() {
    String inThreeSeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(3));
    assertThat(policy.waitBefore(0, Optional.of(inThreeSeconds)))
        .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(3));
  }

  @Test
  void withoutRetryAfterTheBackoffDoubles() {
    assertThat(policy.waitBefore(0, Optional.empty())).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.waitBefore(2, Optional.of("garbage"))).isEqualTo(Duration.ofMillis(400));
    assertThat(policy.backoff(30)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void negativeRetriesAreRejected() {
    assertThatThrownBy(() -> new RetryPolicy(-1, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

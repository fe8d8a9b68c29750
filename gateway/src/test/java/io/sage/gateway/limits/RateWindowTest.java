package io.sage.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateWindowTest {
  private static final long T = 1_000_000;

  @Test
  void requestsPerMinuteSlideSecondBySecond() {
    RateWindow window = new RateWindow();
    assertThat(window.admit(T, 2, null, 10).remainingRequests()).isEqualTo(1);
    assertThat(window.admit(T + 30, 2, null, 10).remainingRequests()).isZero();
    RateWindow.Decision refused = window.admit(T + 31, 2, null, 10);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.requestsExceeded()).isTrue();
    // the first request leaves the window at T + 60
    assertThat(refused.retryAfterSeconds()).isEqualTo(29);
    assertThat(window.admit(T + 59, 2, null, 10).allowed()).isFalse();
    assertThat(window.admit(T + 60, 2, null, 10).allowed()).isTrue();
  }

  @Test
  void tokensCountTheEstimateAndAreCorrectedByTheRealUsage() {
    RateWindow window = new RateWindow();
    assertThat(window.admit(T, null, 100L, 40).remainingTokens()).isEqualTo(60);
    assertThat(window.admit(T + 1, null, 100L, 40).allowed()).isTrue();
    RateWindow.Decision refused = window.admit(T + 2, null, 100L, 40);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.requestsExceeded()).isFalse();
    // the first request really used 5 tokens: room again
    window.adjust(T, 5 - 40, T + 2);
    assertThat(window.admit(T + 2, null, 100L, 40).allowed()).isTrue();
  }

  @Test
  void aRequestLargerThanTheTokenLimitPassesAnEmptyWindow() {
    RateWindow window = new RateWindow();
    assertThat(window.admit(T, null, 10L, 50).allowed()).isTrue();
    assertThat(window.admit(T + 1, null, 10L, 1).allowed()).isFalse();
  }

  @Test
  void resetTimesAreWrittenAsOpenAiDoes() {
    assertThat(RateLimitHeaders.duration(1)).isEqualTo("1s");
    assertThat(RateLimitHeaders.duration(360)).isEqualTo("6m0s");
    assertThat(RateLimitHeaders.duration(61)).isEqualTo("1m1s");
  }
}

package io.sage.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetryReasonsTest {

  @Test
  void theProxysSentencesBecomeFewLabels() {
    assertThat(RetryReasons.classify("engine eng-1 answered 503")).isEqualTo("status_503");
    assertThat(RetryReasons.classify("engine eng-1 answered 502")).isEqualTo("status_502");
    assertThat(RetryReasons.classify("engine eng-1: connection refused"))
        .isEqualTo("connection_refused");
    assertThat(RetryReasons.classify("engine eng-1: HttpConnectTimeoutException: timed out"))
        .isEqualTo("timeout");
    assertThat(RetryReasons.classify("engine eng-1: IOException: closed")).isEqualTo("send_failed");
    assertThat(RetryReasons.classify(null)).isEqualTo("send_failed");
  }

  @Test
  void statusClasses() {
    assertThat(RequestMetrics.statusClass(200)).isEqualTo("2xx");
    assertThat(RequestMetrics.statusClass(404)).isEqualTo("4xx");
    assertThat(RequestMetrics.statusClass(503)).isEqualTo("5xx");
    assertThat(RequestMetrics.statusClass(0)).isEqualTo("other");
  }
}

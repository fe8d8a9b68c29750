package io.sage.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.gateway.config.MetricsConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsAccessTest {
  private static MetricsAccess on(String host, String mode) {
    return new MetricsAccess(
        new AuthSettings(host, "", true, 64, false),
        new MetricsConfig(true, true, Duration.ofSeconds(2), Duration.ofSeconds(15), mode));
  }

  @Test
  void openOnLoopbackKeyedElsewhereUnlessConfigured() {
    assertThat(on("127.0.0.1", "").keyRequired()).isFalse();
    assertThat(on("0.0.0.0", null).keyRequired()).isTrue();
    assertThat(on("127.0.0.1", "required").keyRequired()).isTrue();
    assertThat(on("0.0.0.0", "optional").keyRequired()).isFalse();
    assertThatThrownBy(() -> on("127.0.0.1", "maybe")).hasMessageContaining("metrics.auth");
  }
}

package io.sage.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouteAccessTest {
  @Test
  void onlyListedPathsAreOpenOrInference() {
    assertThat(RouteAccess.of("/health")).isEqualTo(RouteAccess.OPEN);
    assertThat(RouteAccess.of("/v1/chat/completions")).isEqualTo(RouteAccess.INFERENCE);
    assertThat(RouteAccess.of("/v1/models/org/model")).isEqualTo(RouteAccess.INFERENCE);
    assertThat(RouteAccess.of("/sessions/s-1/clear")).isEqualTo(RouteAccess.INFERENCE);
    assertThat(RouteAccess.of("/v1/management/engines")).isEqualTo(RouteAccess.ADMIN);
    assertThat(RouteAccess.of("/v1/something-new")).isEqualTo(RouteAccess.ADMIN);
    assertThat(RouteAccess.of("/v1/management/events")).isEqualTo(RouteAccess.ADMIN);
  }

  @Test
  void consoleFilesAndSignInAreOpenButNothingBehindThem() {
    assertThat(RouteAccess.of("/ui")).isEqualTo(RouteAccess.OPEN);
    assertThat(RouteAccess.of("/ui/app.js")).isEqualTo(RouteAccess.OPEN);
    assertThat(RouteAccess.of("/v1/console/session")).isEqualTo(RouteAccess.OPEN);
    assertThat(RouteAccess.of("/ui/../v1/management/keys")).isEqualTo(RouteAccess.ADMIN);
    assertThat(RouteAccess.of("/ui/%2e%2e/v1/management/keys")).isEqualTo(RouteAccess.ADMIN);
    assertThat(RouteAccess.of("/uix")).isEqualTo(RouteAccess.ADMIN);
    assertThat(RouteAccess.of("/v1/console/session/x")).isEqualTo(RouteAccess.ADMIN);
  }

  @Test
  void dotSegmentsAndEscapesNeverLeaveTheAdminScope() {
    assertThat(RouteAccess.of("/v1/models/../management/engines")).isEqualTo(RouteAccess.ADMIN);
    assertThat(RouteAccess.of("/sessions/%2e%2e/v1/management/keys")).isEqualTo(RouteAccess.ADMIN);
    assertThat(RouteAccess.of("//health")).isEqualTo(RouteAccess.ADMIN);
    assertThat(RouteAccess.of("/v1/models/")).isEqualTo(RouteAccess.ADMIN);
  }

  @Test
  void inferenceKeysAreRequiredOffLoopbackAndOptionalThereRefusesToStart() {
    assertThat(new AuthSettings("127.0.0.1", "", false, 64, false).inferenceKeyRequired())
        .isFalse();
    assertThat(new AuthSettings("0.0.0.0", "", false, 64, false).inferenceKeyRequired()).isTrue();
    assertThat(new AuthSettings("127.0.0.1", "required", false, 64, false).inferenceKeyRequired())
        .isTrue();
    assertThatThrownBy(() -> new AuthSettings("0.0.0.0", "optional", false, 64, false))
        .hasMessageContaining("refusing to start")
        .hasMessageContaining("0.0.0.0");
    assertThat(new AuthSettings("0.0.0.0", "optional", true, 64, false).inferenceKeyRequired())
        .isFalse();
    assertThatThrownBy(() -> new AuthSettings("127.0.0.1", "sometimes", false, 64, false))
        .hasMessageContaining("sometimes");
  }
}

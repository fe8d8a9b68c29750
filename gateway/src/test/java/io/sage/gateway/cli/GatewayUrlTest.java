package io.sage.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GatewayUrlTest {
  @Test
  void wildcardAndIpv6BindAddressesBecomeReachableUrlHosts() {
    assertThat(GatewayUrl.reachableHost("0.0.0.0")).isEqualTo("127.0.0.1");
    assertThat(GatewayUrl.reachableHost("::")).isEqualTo("[::1]");
    assertThat(GatewayUrl.reachableHost("[::]")).isEqualTo("[::1]");
    assertThat(GatewayUrl.reachableHost("::1")).isEqualTo("[::1]");
    assertThat(GatewayUrl.reachableHost("fd00::2")).isEqualTo("[fd00::2]");
    assertThat(GatewayUrl.reachableHost("127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(GatewayUrl.reachableHost("gpu-box")).isEqualTo("gpu-box");
  }
}

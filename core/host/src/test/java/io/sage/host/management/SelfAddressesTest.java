package io.sage.host.management;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SelfAddressesTest {
  private final SelfAddresses self = new SelfAddresses(8000);

  @Test
  void everySpellingOfThisMachineOnTheGatewayPortIsTheGateway() {
    for (String host :
        new String[] {
          "127.0.0.1",
          "localhost",
          "localhost.",
          "2130706433",
          "[::ffff:127.0.0.1]",
          "[::1]",
          "0.0.0.0"
        }) {
      assertThat(self.isGateway(host, 8000)).as(host).isTrue();
    }
  }

  @Test
  void otherPortsAndUnresolvableNamesAreNot() {
    assertThat(self.isGateway("127.0.0.1", 8001)).isFalse();
    assertThat(self.isGateway("no-such-host.invalid", 8000)).isFalse();
  }
}

package io.sage.host.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ports from a range, never the gateway's, never twice, never one another program listens on. */
class PortAllocatorTest {
  private static final int FIRST = 46100;

  @Test
  void handsOutEachPortOnceInOrder() {
    PortAllocator ports = new PortAllocator(FIRST, FIRST + 9, Set.of(), "127.0.0.1");
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      assertThat(seen.add(ports.allocate("eng-" + i))).isTrue();
    }
    assertThat(seen).allMatch(p -> p >= FIRST && p <= FIRST + 9);
  }

  @Test
  void skipsTheGatewaysOwnPort() {
    PortAllocator ports = new PortAllocator(FIRST, FIRST + 1, Set.of(FIRST), "127.0.0.1");
    assertThat(ports.allocate("a")).isEqualTo(FIRST + 1);
    assertThatThrownBy(() -> ports.reserve("b", FIRST))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PORT_IN_USE))
        .hasMessage("port " + FIRST + " is the gateway's own port");
  }

  @Test
  void skipsAPortAnotherProgramListensOn() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), FIRST + 20));
      PortAllocator ports = new PortAllocator(FIRST + 20, FIRST + 21, Set.of(), "127.0.0.1");

      assertThat(ports.allocate("a")).isEqualTo(FIRST + 21);
      assertThatThrownBy(() -> ports.reserve("b", FIRST + 20))
          .hasMessage(
              "port " + (FIRST + 20) + " is already in use; choose another port or leave it out");
    }
  }

  @Test
  void aFullRangeIsAConflictNamingTheRange() {
    PortAllocator ports = new PortAllocator(FIRST + 30, FIRST + 31, Set.of(), "127.0.0.1");
    ports.allocate("a");
    ports.allocate("b");
    assertThatThrownBy(() -> ports.allocate("c"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PORT_IN_USE))
        .hasMessage(
            "no free engine port left in " + (FIRST + 30) + "-" + (FIRST + 31) + " for engine c");
  }

  @Test
  void aReservedPortNamesItsEngine() {
    PortAllocator ports = new PortAllocator(FIRST + 40, FIRST + 49, Set.of(), "127.0.0.1");
    assertThat(ports.reserve("a", FIRST + 45)).isEqualTo(FIRST + 45);
    assertThat(ports.reserve("a", FIRST + 45)).as("its own again").isEqualTo(FIRST + 45);
    assertThatThrownBy(() -> ports.reserve("b", FIRST + 45))
        .hasMessage(
            "port "
                + (FIRST + 45)
                + " is already in use by engine a; choose another port or leave it out");
  }

  @Test
  void aReleasedPortCanBeHandedOutAgainButOnlyByItsOwner() {
    PortAllocator ports = new PortAllocator(FIRST + 50, FIRST + 50, Set.of(), "127.0.0.1");
    int port = ports.allocate("a");
    ports.release("b", port);
    assertThatThrownBy(() -> ports.allocate("c")).isInstanceOf(SageException.class);
    ports.release("a", port);
    assertThat(ports.allocate("c")).isEqualTo(port);
  }

  @Test
  void reacquireKeepsTheOldPortWhenItIsStillFree() {
    PortAllocator ports = new PortAllocator(FIRST + 60, FIRST + 69, Set.of(), "127.0.0.1");
    int port = ports.allocate("a");
    assertThat(ports.reacquire("a", port)).isEqualTo(port);
    ports.release("a", port);
    assertThat(ports.reacquire("a", port)).isEqualTo(port);
  }

  @Test
  void reacquireMovesToAnotherPortWhenTheOldOneWasTaken() {
    PortAllocator ports = new PortAllocator(FIRST + 70, FIRST + 79, Set.of(), "127.0.0.1");
    int port = ports.allocate("a");
    ports.release("a", port);
    ports.reserve("b", port);
    assertThat(ports.reacquire("a", port)).isNotEqualTo(port).isBetween(FIRST + 70, FIRST + 79);
  }

  @Test
  void reacquireLeavesItsOwnReservedPortWhenAnotherProgramListensThere() throws Exception {
    PortAllocator ports = new PortAllocator(FIRST + 90, FIRST + 95, Set.of(), "127.0.0.1");
    int port = ports.allocate("a");
    try (ServerSocket other = new ServerSocket()) {
      other.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
      int moved = ports.reacquire("a", port);
      assertThat(moved).isNotEqualTo(port).isBetween(FIRST + 90, FIRST + 95);
      // the old port is no longer held for it
      ports.release("a", moved);
    }
    assertThat(ports.reserve("b", port)).isEqualTo(port);
  }

  @Test
  void anAdoptedEnginesPortIsHeldWithoutABindTest() throws Exception {
    try (ServerSocket engine = new ServerSocket()) {
      // the adopted engine itself listens on its port
      engine.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), FIRST + 80));
      PortAllocator ports = new PortAllocator(FIRST + 80, FIRST + 81, Set.of(), "127.0.0.1");
      ports.hold("a", FIRST + 80);
      assertThat(ports.reserve("a", FIRST + 80)).isEqualTo(FIRST + 80);
      assertThatThrownBy(() -> ports.reserve("b", FIRST + 80)).isInstanceOf(SageException.class);
    }
  }

  @Test
  void aRangeOutsideTheUnprivilegedPortsIsABug() {
    assertThatThrownBy(() -> new PortAllocator(80, 90, Set.of(), "127.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PortAllocator(5000, 4000, Set.of(), "127.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class);
    PortAllocator ports = new PortAllocator(FIRST, FIRST, Set.of(), "127.0.0.1");
    assertThatThrownBy(() -> ports.reserve("a", 80))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
  }
}

package io.sage.e2e;

import java.io.IOException;
import java.net.ServerSocket;

/** Free loopback ports for gateways under test. */
public final class Ports {
  private Ports() {}

  public static int free() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.sage.host.management;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * Whether a host and port reach this gateway: the host is resolved (so {@code 2130706433}, {@code
 * [::ffff:127.0.0.1]}, {@code 127.1} or a DNS name pointing here all count) and each address is
 * compared with loopback, the wildcard address and every address of this machine's interfaces.
 */
public final class SelfAddresses {
  private final int gatewayPort;

  public SelfAddresses(int gatewayPort) {
    this.gatewayPort = gatewayPort;
  }

  public int gatewayPort() {
    return gatewayPort;
  }

  /** True when {@code host:port} is this gateway's port on one of this machine's addresses. */
  public boolean isGateway(String host, int port) {
    if (port != gatewayPort) {
      return false;
    }
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    // "localhost." is localhost to curl and DNS; the JDK resolver would not find it
    while (bare.endsWith(".") && bare.length() > 1) {
      bare = bare.substring(0, bare.length() - 1);
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(bare);
    } catch (UnknownHostException e) {
      // a name that does not resolve reaches nothing yet; the hop header catches it later
      return false;
    }
    for (InetAddress address : addresses) {
      if (isThisMachine(address)) {
        return true;
      }
    }
    return false;
  }

  static boolean isThisMachine(InetAddress address) {
    if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
      return true;
    }
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return false;
    }
  }
}

package io.sage.gateway.cli;

/** How the CLI reaches a gateway it started on a bind address. */
final class GatewayUrl {
  private GatewayUrl() {}

  /**
   * The host part of a URL that reaches a gateway bound to {@code bind}: loopback for the wildcard
   * addresses, IPv6 literals in brackets ({@code --host ::} would otherwise give {@code
   * http://:::8000}).
   */
  static String reachableHost(String bind) {
    String host = bind.trim();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.equals("0.0.0.0") || host.isEmpty()) {
      return "127.0.0.1";
    }
    if (host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
      return "[::1]";
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }
}

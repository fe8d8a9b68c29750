package io.sage.gateway.security;

import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.cors.CorsOriginConfiguration;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The names the gateway answers to, decided once at startup: loopback names and addresses, the bind
 * address, on a wildcard bind every address of this machine and its host name, plus {@code
 * sage.http.allowed-hosts}. Origins: those whose host is allowed, {@code sage.http.allowed-origins}
 * and the origins CORS is configured to allow.
 */
@Singleton
final class HostNames {
  private final boolean anyHost;
  private final Set<String> hosts;
  private final boolean anyOrigin;
  private final Set<String> origins;

  HostNames(HostCheckConfig config, AuthSettings auth, HttpServerConfiguration server) {
    Set<String> allowed =
        new HashSet<>(List.of("localhost", "localhost.localdomain", "127.0.0.1", "::1"));
    String bind = normalizeHost(auth.bindHost());
    boolean wildcard =
        bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("0:0:0:0:0:0:0:0");
    if (wildcard) {
      allowed.addAll(machineNames());
    } else {
      allowed.add(bind);
    }
    boolean any = false;
    for (String host : config.allowedHosts()) {
      String name = normalizeHost(host);
      any |= name.equals("*");
      allowed.add(name);
    }
    this.anyHost = any;
    this.hosts = Set.copyOf(allowed);
    Set<String> allowedOrigins = new HashSet<>();
    boolean anyOrigin = false;
    for (String origin : config.allowedOrigins()) {
      anyOrigin |= origin.trim().equals("*");
      allowedOrigins.add(normalizeOrigin(origin));
    }
    HttpServerConfiguration.CorsConfiguration cors = server.getCors();
    if (cors != null && cors.isEnabled()) {
      for (CorsOriginConfiguration origin : cors.getConfigurations().values()) {
        for (String value : origin.getAllowedOrigins()) {
          anyOrigin |= value.trim().equals("*");
          allowedOrigins.add(normalizeOrigin(value));
        }
      }
    }
    this.anyOrigin = anyOrigin;
    this.origins = Set.copyOf(allowedOrigins);
  }

  /**
   * Whether a {@code Host} header value ({@code name}, {@code name:port}, {@code [v6]:port}) is
   * ours.
   */
  boolean hostAllowed(String header) {
    if (anyHost) {
      return true;
    }
    String value = header.trim();
    String host;
    if (value.startsWith("[")) {
      int end = value.indexOf(']');
      if (end < 0) {
        return false;
      }
      host = value.substring(1, end);
    } else {
      int colon = value.indexOf(':');
      host = colon >= 0 ? value.substring(0, colon) : value;
    }
    return !host.isEmpty() && hosts.contains(normalizeHost(host));
  }

  /** Whether a browser's {@code Origin} may call the gateway. */
  boolean originAllowed(String header) {
    if (anyOrigin || origins.contains(normalizeOrigin(header))) {
      return true;
    }
    try {
      URI uri = new URI(header.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https"))
          && uri.getHost() != null
          && hostAllowed(uri.getHost());
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  static String normalizeHost(String host) {
    String name = host.trim().toLowerCase(Locale.ROOT);
    if (name.startsWith("[") && name.endsWith("]")) {
      name = name.substring(1, name.length() - 1);
    }
    while (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    int scope = name.indexOf('%');
    if (scope > 0 && name.contains(":")) {
      name = name.substring(0, scope);
    }
    if (name.contains(":")) {
      // one spelling per IPv6 address
      try {
        name = InetAddress.getByName(name).getHostAddress();
        int s = name.indexOf('%');
        name = s > 0 ? name.substring(0, s) : name;
        if (name.equals("0:0:0:0:0:0:0:1")) {
          return "::1";
        }
      } catch (UnknownHostException e) {
        return name;
      }
    }
    return name;
  }

  private static String normalizeOrigin(String origin) {
    String value = origin.trim().toLowerCase(Locale.ROOT);
    while (value.endsWith("/")) {
      value = value.substring(0, value.length() - 1);
    }
    return value;
  }

  private static Set<String> machineNames() {
    Set<String> names = new HashSet<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          names.add(normalizeHost(address.getHostAddress()));
        }
      }
    } catch (SocketException e) {
      // no interfaces listed: the loopback names and configured hosts still apply
    }
    try {
      InetAddress local = InetAddress.getLocalHost();
      names.add(normalizeHost(local.getHostName()));
      names.add(normalizeHost(local.getCanonicalHostName()));
    } catch (UnknownHostException e) {
      // a machine without a resolvable name is reached by address
    }
    return names;
  }
}

package io.sage.gateway.security;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Who must present a key, decided once at startup. Management routes always need an admin key.
 * Inference routes ({@code sage.auth.inference}) need a key when {@code required}; the default is
 * {@code required} when the gateway is bound to anything but a loopback address, {@code optional}
 * on loopback. A gateway bound to a network address with inference set to {@code optional} refuses
 * to start unless {@code sage.auth.allow-insecure=true} says the operator means it.
 */
@Context
public final class AuthSettings {
  private final boolean inferenceKeyRequired;
  private final int maxConcurrentPerKey;
  private final String bindHost;
  private final boolean corsEnabled;

  AuthSettings(
      @Value("${micronaut.server.host:}") @Nullable String host,
      @Value("${sage.auth.inference:}") @Nullable String inference,
      @Value("${sage.auth.allow-insecure:false}") boolean allowInsecure,
      @Value("${sage.limits.max-concurrent-per-key:2048}") int maxConcurrentPerKey,
      @Value("${micronaut.server.cors.enabled:false}") boolean corsEnabled) {
    this.corsEnabled = corsEnabled;
    this.bindHost = host == null || host.isBlank() ? "0.0.0.0" : host.trim();
    boolean loopback = isLoopback(bindHost);
    String mode = inference == null ? "" : inference.trim().toLowerCase(Locale.ROOT);
    this.inferenceKeyRequired =
        switch (mode) {
          case "" -> !loopback;
          case "required" -> true;
          case "optional", "disabled" -> {
            if (!loopback && !allowInsecure) {
              throw new IllegalStateException(
                  "refusing to start: the gateway is bound to "
                      + bindHost
                      + ", a network address, with sage.auth.inference="
                      + mode
                      + " (anyone who can reach it could use"
                      + " the models). Bind to 127.0.0.1, set SAGE_AUTH_INFERENCE=required, or set"
                      + " SAGE_AUTH_ALLOW_INSECURE=true if this network is trusted.");
            }
            yield false;
          }
          default ->
              throw new IllegalStateException(
                  "sage.auth.inference must be 'required' or 'optional', got '" + inference + "'");
        };
    if (maxConcurrentPerKey < 1) {
      throw new IllegalStateException(
          "sage.limits.max-concurrent-per-key must be at least 1, got " + maxConcurrentPerKey);
    }
    this.maxConcurrentPerKey = maxConcurrentPerKey;
  }

  /** Whether {@code /v1/*} inference and session routes turn away requests without a key. */
  public boolean inferenceKeyRequired() {
    return inferenceKeyRequired;
  }

  public int maxConcurrentPerKey() {
    return maxConcurrentPerKey;
  }

  /** Whether CORS is on: only then do preflight {@code OPTIONS} requests pass without a key. */
  public boolean corsEnabled() {
    return corsEnabled;
  }

  public String bindHost() {
    return bindHost;
  }

  static boolean isLoopback(String host) {
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    try {
      // only literal addresses and names that resolve to loopback only count as loopback
      InetAddress[] all = InetAddress.getAllByName(bare);
      for (InetAddress address : all) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}

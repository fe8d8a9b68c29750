package io.sage.host.management;

import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a remote engine registration: model, kind, an http(s) base URL without credentials, query
 * or fragment that does not point back at this gateway, and a printable API key.
 */
final class RemoteRegistration {
  /** A registration that passed every check; {@code baseUrl} without a trailing slash or /v1. */
  record Validated(EngineSpec spec, String baseUrl, String apiKey) {}

  private final SelfAddresses gatewayAddresses;

  /**
   * @param gatewayAddresses this gateway's own addresses (every local address and its port)
   */
  RemoteRegistration(SelfAddresses gatewayAddresses) {
    this.gatewayAddresses = gatewayAddresses;
  }

  Validated validate(RegisterRequest request) {
    SpecValidator v = new SpecValidator();
    v.modelName("model", request.model(), true);
    v.label(request.label());
    EngineKind kind = EngineKind.LLM;
    try {
      kind = request.engineKind() == null ? EngineKind.LLM : EngineKind.parse(request.engineKind());
    } catch (SageException e) {
      v.check(false, e.getMessage());
    }
    String baseUrl = checkUrl(request.baseUrl(), v);
    v.check(
        request.apiKey() == null
            || (request.apiKey().length() <= 512 && !SpecValidator.hasControl(request.apiKey())),
        "api_key must be a printable string of at most 512 characters");
    v.throwIfInvalid();
    EngineSpec spec =
        new EngineSpec(
            request.model(),
            request.model(),
            kind,
            "remote",
            null,
            1,
            List.of(),
            false,
            request.label(),
            List.of(),
            Map.of());
    return new Validated(spec, baseUrl, request.apiKey() == null ? "" : request.apiKey());
  }

  private String checkUrl(String raw, SpecValidator v) {
    if (raw == null || raw.isBlank()) {
      v.check(false, "base_url is required");
      return "";
    }
    URI uri;
    try {
      uri = new URI(raw.trim());
    } catch (Exception e) {
      v.check(false, "base_url is not a valid URL");
      return "";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    v.check(
        scheme.equals("http") || scheme.equals("https"), "base_url must be an http or https URL");
    v.check(uri.getHost() != null && !uri.getHost().isBlank(), "base_url must name a host");
    v.check(uri.getUserInfo() == null, "base_url must not carry credentials; pass api_key instead");
    v.check(
        uri.getQuery() == null && uri.getFragment() == null,
        "base_url must not have a query or fragment");
    v.check(
        uri.getPort() == -1 || (uri.getPort() >= 1 && uri.getPort() <= 65535),
        "base_url port must be between 1 and 65535");
    if (uri.getHost() != null && uri.getPort() <= 65535) {
      int port = uri.getPort() == -1 ? ("https".equals(scheme) ? 443 : 80) : uri.getPort();
      v.check(
          !gatewayAddresses.isGateway(uri.getHost(), port),
          "base_url points at this gateway itself (its host resolves to this machine and the port"
              + " is the gateway's)");
    }
    String text = uri.toString();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.endsWith("/v1")) {
      text = text.substring(0, text.length() - 3);
    }
    return text;
  }
}

package io.sage.gateway.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.sage.gateway.errors.OpenAiError;

/**
 * Refuses requests that name the gateway by a name it does not answer to (DNS rebinding: a web page
 * whose name now resolves to 127.0.0.1 sends its own name in {@code Host}) and browser requests
 * from origins nobody allowed. Runs before CORS and authentication, so a refused request reaches
 * nothing else; the refusal is a 403 in the OpenAI error shape.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class HostCheckFilter implements Ordered {
  private final HostNames names;

  HostCheckFilter(HostNames names) {
    this.names = names;
  }

  @Override
  public int getOrder() {
    return ServerFilterPhase.FIRST.before();
  }

  @RequestFilter
  @Nullable
  HttpResponse<?> check(HttpRequest<?> request) {
    String host = request.getHeaders().get("Host");
    if (host != null && !names.hostAllowed(host)) {
      return OpenAiError.response(
          403,
          "the gateway does not answer to the host name '"
              + OpenAiError.shorten(host, 200)
              + "'; add it to sage.http.allowed-hosts if it is one of this machine's names",
          "permission_error",
          "host_not_allowed");
    }
    String origin = request.getHeaders().get("Origin");
    if (origin != null && !names.originAllowed(origin)) {
      return OpenAiError.response(
          403,
          "cross-origin request from '"
              + OpenAiError.shorten(origin, 200)
              + "' refused; allow the origin in sage.http.allowed-origins"
              + " (and CORS) to call the gateway from that page",
          "permission_error",
          "origin_not_allowed");
    }
    return null;
  }
}

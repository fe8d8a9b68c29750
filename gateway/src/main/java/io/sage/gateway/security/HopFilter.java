package io.sage.gateway.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.sage.gateway.errors.OpenAiError;
import io.sage.gateway.openai.EngineHeaders;

/**
 * Refuses a request that already went through this gateway (its {@code x-sage-hop} header names
 * this process): an engine whose {@code base_url} leads back here, under whatever spelling or DNS
 * name, ends after one round with 508 instead of nesting requests until every slot is taken.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class HopFilter implements Ordered {
  @Override
  public int getOrder() {
    return ServerFilterPhase.FIRST.order();
  }

  @RequestFilter
  @Nullable
  HttpResponse<?> check(HttpRequest<?> request) {
    if (request.getHeaders().contains(EngineHeaders.HOP_HEADER) && EngineHeaders.isLoop(request)) {
      return OpenAiError.response(
          508,
          "request loop: this request already passed through this gateway (an engine's base_url"
              + " leads back to it)",
          "invalid_request_error",
          "loop_detected");
    }
    return null;
  }
}

package io.sage.gateway.limits;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * The {@code x-ratelimit-*} headers OpenAI sends, for keys with a rate limit: the admission leaves
 * them on the request and this filter puts them on whatever response the request gets.
 */
@ServerFilter({"/v1/chat/completions", "/v1/completions", "/v1/embeddings"})
final class RateLimitHeaders {
  static final String ATTRIBUTE = "sage.ratelimit.headers";

  /** The values of one request's headers; a null limit is left out. */
  record Values(
      Integer rpm,
      Long tpm,
      long remainingRequests,
      long resetRequestsSeconds,
      long remainingTokens,
      long resetTokensSeconds) {

    void apply(MutableHttpResponse<?> response) {
      if (rpm != null) {
        response.header("x-ratelimit-limit-requests", Integer.toString(rpm));
        response.header("x-ratelimit-remaining-requests", Long.toString(remainingRequests));
        response.header("x-ratelimit-reset-requests", duration(resetRequestsSeconds));
      }
      if (tpm != null) {
        response.header("x-ratelimit-limit-tokens", Long.toString(tpm));
        response.header("x-ratelimit-remaining-tokens", Long.toString(remainingTokens));
        response.header("x-ratelimit-reset-tokens", duration(resetTokensSeconds));
      }
    }
  }

  @ResponseFilter
  void addHeaders(HttpRequest<?> request, MutableHttpResponse<?> response) {
    request
        .getAttribute(ATTRIBUTE, Values.class)
        .ifPresent(
            values -> {
              if (response.getHeaders().get("x-ratelimit-limit-requests") == null
                  && response.getHeaders().get("x-ratelimit-limit-tokens") == null) {
                values.apply(response);
              }
            });
  }

  /** As OpenAI writes a reset time: {@code 1s}, {@code 6m0s}. */
  static String duration(long seconds) {
    return seconds < 60 ? seconds + "s" : (seconds / 60) + "m" + (seconds % 60) + "s";
  }
}

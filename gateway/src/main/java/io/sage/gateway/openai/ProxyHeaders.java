package io.sage.gateway.openai;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.sage.host.EngineLease;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Which headers cross the proxy in each direction: the few client headers an engine may use, the
 * engine's own key and the hop header, and the engine's response headers a client may see ({@link
 * EngineHeaders}).
 */
final class ProxyHeaders {
  private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:@/+=-]{1,128}");
  private static final Set<String> FORWARDED_REQUEST_HEADERS =
      Set.of("accept", "traceparent", "tracestate", "openai-organization", "openai-project");

  private ProxyHeaders() {}

  /** The caller's request id when it is sane, else a fresh one. */
  static String requestId(HttpRequest<?> request) {
    String given = request.getHeaders().get(EngineProxy.REQUEST_ID_HEADER);
    if (given != null && SANE_REQUEST_ID.matcher(given).matches()) {
      return given;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "req-"
        + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
        + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
  }

  /** The request sent to {@code engine}: the client's body unchanged, a few of its headers. */
  static MutableHttpRequest<byte[]> upstreamRequest(
      HttpRequest<?> request, EngineLease engine, String path, byte[] body, String requestId) {
    MutableHttpRequest<byte[]> upstream =
        HttpRequest.POST(engine.record().baseUrl() + path, body)
            .contentType(MediaType.APPLICATION_JSON_TYPE)
            .header(EngineProxy.REQUEST_ID_HEADER, requestId);
    for (Map.Entry<String, List<String>> header : request.getHeaders()) {
      if (FORWARDED_REQUEST_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        for (String value : header.getValue()) {
          upstream.header(header.getKey(), value);
        }
      }
    }
    String key = engine.record().engineApiKey();
    if (key != null && !key.isEmpty()) {
      upstream.header(HttpHeaders.AUTHORIZATION, "Bearer " + key);
    }
    EngineHeaders.addHop(request, upstream);
    return upstream;
  }

  /** Copies the engine's end-to-end response headers onto {@code out}. */
  static void copyResponseHeaders(HttpResponse<?> from, MutableHttpResponse<?> out) {
    for (Map.Entry<String, List<String>> header : from.getHeaders()) {
      if (EngineHeaders.relayed(header.getKey(), from)) {
        for (String value : header.getValue()) {
          out.header(header.getKey(), value);
        }
      }
    }
  }
}

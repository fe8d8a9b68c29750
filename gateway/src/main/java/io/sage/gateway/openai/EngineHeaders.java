package io.sage.gateway.openai;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import reactor.core.publisher.Flux;

/**
 * What crosses the proxy besides the body, in both directions: the hop header that tells a request
 * that already went through this gateway (a {@code base_url} that leads back to it), the engine's
 * response headers a client may see (no cookies, no hop-by-hop headers, nothing that speaks for the
 * gateway) and error bodies with the engine's key masked.
 */
public final class EngineHeaders {
  /** Lists the gateways a request went through, by their {@link #GATEWAY_ID}. */
  public static final String HOP_HEADER = "x-sage-hop";

  /** This gateway process, as named in {@link #HOP_HEADER}; random, so it tells nothing. */
  public static final String GATEWAY_ID = newId();

  /** More gateways in a row than this is a loop, whoever is in it. */
  static final int MAX_HOPS = 8;

  /** An error body is masked as a whole; more than this is cut (errors are small). */
  static final int MAX_MASKED_ERROR_BYTES = 256 * 1024;

  private static final Set<String> NOT_RELAYED =
      Set.of(
          "connection",
          "keep-alive",
          "transfer-encoding",
          "te",
          "trailer",
          "upgrade",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "content-length",
          "date",
          "server",
          "content-type",
          "x-request-id",
          "set-cookie",
          "set-cookie2",
          "www-authenticate",
          "alt-svc",
          "strict-transport-security",
          "access-control-allow-origin",
          "access-control-allow-credentials",
          "access-control-allow-headers",
          "access-control-allow-methods",
          "access-control-expose-headers");

  private EngineHeaders() {}

  private static String newId() {
    byte[] id = new byte[8];
    new SecureRandom().nextBytes(id);
    return "gw-" + HexFormat.of().formatHex(id);
  }

  /** Whether the request already passed through this gateway, or through too many. */
  public static boolean isLoop(HttpRequest<?> request) {
    List<String> hops = hops(request);
    return hops.contains(GATEWAY_ID) || hops.size() >= MAX_HOPS;
  }

  private static List<String> hops(HttpRequest<?> request) {
    List<String> hops = new java.util.ArrayList<>();
    for (String value : request.getHeaders().getAll(HOP_HEADER)) {
      for (String part : value.split(",")) {
        String hop = part.trim();
        if (!hop.isEmpty()) {
          hops.add(hop);
        }
      }
    }
    return hops;
  }

  /** Names this gateway (after the ones before it) on the request to the engine. */
  static void addHop(HttpRequest<?> request, MutableHttpRequest<?> upstream) {
    List<String> hops = hops(request);
    hops.add(GATEWAY_ID);
    upstream.header(HOP_HEADER, String.join(", ", hops.subList(0, Math.min(hops.size(), 16))));
  }

  /**
   * Whether an engine response header reaches the client: not a hop-by-hop header (also those the
   * engine's {@code Connection} names), no cookie, nothing the gateway sets itself.
   */
  static boolean relayed(String name, HttpResponse<?> response) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (NOT_RELAYED.contains(lower) || lower.startsWith(":") || lower.startsWith("x-sage-")) {
      return false;
    }
    String connection = response.getHeaders().get("Connection");
    if (connection != null) {
      Set<String> named = new HashSet<>();
      for (String token : connection.split(",")) {
        named.add(token.trim().toLowerCase(Locale.ROOT));
      }
      return !named.contains(lower);
    }
    return true;
  }

  /**
   * The body as relayed: an error answer (status 400 and up) is gathered (up to {@link
   * #MAX_MASKED_ERROR_BYTES}) so the engine's key, should the engine echo it, is masked even when
   * it straddles two chunks; other bodies pass chunk by chunk, untouched.
   */
  static Flux<ByteBuf> masked(int status, String engineKey, Flux<ByteBuf> body) {
    if (status < 400 || engineKey == null || engineKey.length() < 8) {
      return body;
    }
    return body.collectList()
        .map(
            chunks -> {
              StringBuilder text = new StringBuilder();
              int total = 0;
              for (ByteBuf chunk : chunks) {
                try {
                  int take = Math.min(chunk.readableBytes(), MAX_MASKED_ERROR_BYTES - total);
                  if (take > 0) {
                    text.append(chunk.toString(chunk.readerIndex(), take, StandardCharsets.UTF_8));
                    total += take;
                  }
                } finally {
                  chunk.release();
                }
              }
              String masked = text.toString().replace(engineKey, "****");
              return Unpooled.wrappedBuffer(masked.getBytes(StandardCharsets.UTF_8));
            })
        .flux();
  }
}

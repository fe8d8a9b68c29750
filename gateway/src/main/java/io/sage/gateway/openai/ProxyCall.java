package io.sage.gateway.openai;

import io.micronaut.http.HttpRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client request on its way through the proxy: what listeners need to know about it, plus a
 * place for them to keep their own per-request state.
 */
public final class ProxyCall {
  private final HttpRequest<?> request;
  private final String route;
  private final String model;
  private final boolean stream;
  private final String requestId;
  private final long startNanos = System.nanoTime();
  private final Map<String, Object> attributes = new ConcurrentHashMap<>();
  private volatile int attempts;
  private volatile long firstByteNanos;
  private volatile long bytesOut;

  ProxyCall(HttpRequest<?> request, String route, String model, boolean stream, String requestId) {
    this.request = request;
    this.requestId = requestId;
    this.route = route;
    this.model = model;
    this.stream = stream;
  }

  public HttpRequest<?> request() {
    return request;
  }

  /** The OpenAI path, e.g. {@code /v1/chat/completions}. */
  public String route() {
    return route;
  }

  public String model() {
    return model;
  }

  /**
   * The caller's {@code x-request-id}, or one the gateway generated; sent to the engine and back.
   */
  public String requestId() {
    return requestId;
  }

  public boolean stream() {
    return stream;
  }

  public long startNanos() {
    return startNanos;
  }

  /** Engines tried so far. */
  public int attempts() {
    return attempts;
  }

  void attempted() {
    attempts++;
  }

  /** When the first response byte went to the client, or 0. */
  public long firstByteNanos() {
    return firstByteNanos;
  }

  void firstByte() {
    if (firstByteNanos == 0) {
      firstByteNanos = System.nanoTime();
    }
  }

  /** Response body bytes relayed so far. */
  public long bytesOut() {
    return bytesOut;
  }

  void addBytes(long n) {
    bytesOut += n;
  }

  public Map<String, Object> attributes() {
    return attributes;
  }
}

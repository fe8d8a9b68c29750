package io.sage.gateway.observability;

import io.micronaut.context.annotation.Requires;
import io.sage.gateway.openai.ProxyCall;
import io.sage.gateway.openai.ProxyListener;
import io.sage.gateway.openai.ProxyOutcome;
import io.sage.gateway.security.Actors;
import jakarta.inject.Singleton;

/** Hands one {@link AccessLogEntry} per finished inference request to the writer; never blocks. */
@Singleton
@Requires(property = AccessLogWriter.ENABLED, notEquals = "false")
final class AccessLog implements ProxyListener {
  private final AccessLogWriter writer;

  AccessLog(AccessLogWriter writer) {
    this.writer = writer;
  }

  @Override
  public void onEnd(ProxyCall call, ProxyOutcome outcome) {
    long now = System.nanoTime();
    long latency = now - call.startNanos();
    long startMillis = System.currentTimeMillis() - latency / 1_000_000;
    long firstByte = call.firstByteNanos() == 0 ? -1 : call.firstByteNanos() - call.startNanos();
    writer.offer(
        new AccessLogEntry(
            startMillis,
            call.requestId(),
            Actors.of(call.request()),
            call.route(),
            call.model(),
            call.stream(),
            outcome.engineId(),
            outcome.status(),
            outcome.completed(),
            latency,
            firstByte,
            Math.max(0, call.request().getContentLength()),
            call.bytesOut(),
            Math.max(0, call.attempts() - 1),
            outcome.error()));
  }
}

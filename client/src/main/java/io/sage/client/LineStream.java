package io.sage.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Lines of a long-lived text body (log follow): plain chunked text yields its lines, an SSE body
 * yields each event's data. Closing the stream closes the connection.
 */
final class LineStream extends Spliterators.AbstractSpliterator<String> {

  private final SseReader reader;
  private final boolean sse;
  private final String context;
  private boolean finished;

  private LineStream(GatewayResponse response, String context) {
    super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
    this.reader = new SseReader(response.body());
    this.sse = response.contentType().map(t -> t.startsWith("text/event-stream")).orElse(false);
    this.context = context;
  }

  static Stream<String> open(GatewayResponse response, String context) {
    LineStream lines = new LineStream(response, context);
    return StreamSupport.stream(lines, false).onClose(lines::close);
  }

  @Override
  public boolean tryAdvance(Consumer<? super String> action) {
    if (finished) {
      return false;
    }
    try {
      Optional<String> next = sse ? reader.nextData() : reader.nextLine();
      if (next.isEmpty() || sse && next.get().trim().equals("[DONE]")) {
        close();
        return false;
      }
      action.accept(next.get());
      return true;
    } catch (IOException e) {
      close();
      throw new SageClientException(
          "stream_error", "stream_read_failed", context + ": reading failed: " + e, e);
    }
  }

  void close() {
    finished = true;
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing " + context, e);
    }
  }
}

package io.sage.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The chunks of an OpenAI streaming answer as a lazy {@link Stream}. {@code [DONE]} ends it; an
 * {@code error} event throws; a body that ends with neither {@code [DONE]} nor a finish reason was
 * cut off and throws too, so a truncated answer is never mistaken for a complete one. Closing the
 * stream (or reaching its end) closes the body and with it the HTTP connection.
 */
final class OpenAiEventStream extends Spliterators.AbstractSpliterator<JsonNode> {

  private final GatewayResponse response;
  private final SseReader reader;
  private final String context;
  private boolean finished;
  private boolean sawFinishReason;

  private OpenAiEventStream(GatewayResponse response, String context) {
    super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
    this.response = response;
    this.reader = new SseReader(response.body());
    this.context = context;
  }

  static Stream<JsonNode> open(GatewayResponse response, String context) {
    OpenAiEventStream events = new OpenAiEventStream(response, context);
    return StreamSupport.stream(events, false).onClose(events::close);
  }

  @Override
  public boolean tryAdvance(Consumer<? super JsonNode> action) {
    if (finished) {
      return false;
    }
    try {
      Optional<String> data = reader.nextData();
      if (data.isEmpty()) {
        close();
        if (!sawFinishReason) {
          throw new SageClientException(
              0,
              "stream_error",
              "stream_truncated",
              null,
              "stream ended without [DONE] or a finish reason",
              response.engineId().orElse(null),
              context,
              null);
        }
        return false;
      }
      if (data.get().trim().equals("[DONE]")) {
        close();
        return false;
      }
      JsonNode event = GatewayTransport.MAPPER.readTree(data.get());
      if (event.hasNonNull("error")) {
        close();
        throw ErrorResponses.fromErrorNode(
            0, event.get("error"), response.engineId().orElse(null), context);
      }
      for (JsonNode choice : event.path("choices")) {
        if (choice.hasNonNull("finish_reason")) {
          sawFinishReason = true;
        }
      }
      action.accept(event);
      return true;
    } catch (IOException e) {
      close();
      throw new SageClientException(
          0,
          "stream_error",
          "stream_read_failed",
          null,
          "reading the stream failed: " + e,
          response.engineId().orElse(null),
          context,
          e);
    }
  }

  void close() {
    finished = true;
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing the stream of " + context, e);
    }
  }
}

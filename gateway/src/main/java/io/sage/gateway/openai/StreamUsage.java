package io.sage.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.sage.gateway.config.UsageConfig;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Usage for streams whose client did not ask for it: the engine is asked for {@code
 * stream_options.include_usage}, and what that adds to the stream (the final usage event, {@code
 * "usage":null} in the other events) is taken out again, so the client receives the bytes it would
 * have received without it, while the accounting reads the engine's own count.
 */
@Singleton
public final class StreamUsage {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] OPTION =
      ",\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);

  private final boolean enabled;

  StreamUsage(UsageConfig config) {
    this.enabled = config.enabled();
  }

  /** The body to send the engine: {@code body} itself unless the usage option must be added. */
  byte[] upstreamBody(InferenceRequest parsed, byte[] body) {
    if (!enabled || !parsed.stream() || parsed.includeUsage()) {
      return body;
    }
    if (!parsed.hasStreamOptions()) {
      int end = body.length - 1;
      while (end > 0 && body[end] != '}') {
        end--;
      }
      byte[] out = new byte[body.length + OPTION.length];
      System.arraycopy(body, 0, out, 0, end);
      System.arraycopy(OPTION, 0, out, end, OPTION.length);
      System.arraycopy(body, end, out, end + OPTION.length, body.length - end);
      return out;
    }
    // stream_options is there without include_usage (rare): rewrite that one object
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(body);
      JsonNode options = root.get("stream_options");
      ObjectNode rewritten =
          options instanceof ObjectNode object ? object : root.putObject("stream_options");
      rewritten.put("include_usage", true);
      root.set("stream_options", rewritten);
      return JSON.writeValueAsBytes(root);
    } catch (IOException | ClassCastException e) {
      return body; // inspected as one JSON object already; left as it is when in doubt
    }
  }

  /** The engine's SSE body with the added usage taken out again. */
  static Flux<ByteBuf> strip(Flux<ByteBuf> engine) {
    UsageStreamFilter filter = new UsageStreamFilter();
    return engine
        .<ByteBuf>handle(
            (buf, sink) -> {
              ByteBuf out = filter.push(buf);
              if (out != null) {
                sink.next(out);
              }
            })
        .concatWith(Mono.fromSupplier(filter::finish));
  }
}

package io.sage.engine.mock;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code /v1/chat/completions} and {@code /v1/completions}: a deterministic reply of exactly {@code
 * max_tokens} tokens {@code tok0 tok1 ...}, finish reason {@code length}, whole or as SSE events
 * flushed one token at a time.
 */
final class Completions {
  static final int DEFAULT_MAX_TOKENS = 16;
  static final int MAX_TOKENS_LIMIT = 1 << 20;
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private final String modelJson;
  private final MockOptions options;
  private final MockFaults faults;
  private final AtomicLong ids = new AtomicLong();

  Completions(String model, MockOptions options, MockFaults faults) {
    this.modelJson = JsonText.quote(model);
    this.options = options;
    this.faults = faults;
  }

  void serve(HttpExchange exchange, MockRequest request, boolean chat) throws IOException {
    int maxTokens = request.maxTokens(DEFAULT_MAX_TOKENS, MAX_TOKENS_LIMIT);
    boolean stream = request.flag("stream");
    boolean includeUsage = stream && request.includeUsage();
    int promptTokens = MockRequest.countWords(request.get(chat ? "messages" : "prompt"));
    Reply reply =
        new Reply(
            chat,
            (chat ? "chatcmpl-mock-" : "cmpl-mock-") + ids.incrementAndGet(),
            System.currentTimeMillis() / 1000,
            promptTokens,
            maxTokens);
    long start = System.nanoTime() + options.latency().toNanos();
    Pacing.sleepUntil(start);
    if (stream) {
      stream(exchange, reply, includeUsage, start);
    } else {
      Pacing.sleepUntil(start + Pacing.tokensTime(maxTokens, options.tokensPerSecond()));
      MockRouter.sendJson(exchange, 200, reply.whole().getBytes(StandardCharsets.UTF_8));
    }
  }

  private void stream(HttpExchange exchange, Reply reply, boolean includeUsage, long start)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    for (int i = 0; i < reply.completionTokens; i++) {
      Pacing.sleepUntil(start + Pacing.tokensTime(i, options.tokensPerSecond()));
      faults.hangIfDue();
      out.write(reply.tokenEvent(i, includeUsage).getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
    if (includeUsage) {
      out.write(reply.usageEvent().getBytes(StandardCharsets.UTF_8));
    }
    out.write(DONE);
    out.flush();
  }

  /** One reply's identity and sizes; renders the OpenAI shapes. */
  private final class Reply {
    private final boolean chat;
    private final String prefix;
    private final String chunkPrefix;
    private final int promptTokens;
    private final int completionTokens;

    Reply(boolean chat, String id, long created, int promptTokens, int completionTokens) {
      this.chat = chat;
      this.promptTokens = promptTokens;
      this.completionTokens = completionTokens;
      this.prefix = head(id, created, chat ? "chat.completion" : "text_completion");
      this.chunkPrefix = chat ? head(id, created, "chat.completion.chunk") : prefix;
    }

    private String head(String id, long created, String object) {
      return "{\"id\":\""
          + id
          + "\",\"object\":\""
          + object
          + "\",\"created\":"
          + created
          + ",\"model\":"
          + modelJson
          + ",\"choices\":[";
    }

    String whole() {
      StringBuilder out = new StringBuilder(prefix.length() + 256 + completionTokens * 8);
      out.append(prefix).append("{\"index\":0,");
      out.append(chat ? "\"message\":{\"role\":\"assistant\",\"content\":\"" : "\"text\":\"");
      for (int i = 0; i < completionTokens; i++) {
        token(out, i);
      }
      out.append(chat ? "\"}," : "\",");
      out.append("\"logprobs\":null,\"finish_reason\":\"length\"}],");
      return usage(out).append('}').toString();
    }

    String tokenEvent(int index, boolean includeUsage) {
      StringBuilder out = new StringBuilder(chunkPrefix.length() + 160).append("data: ");
      out.append(chunkPrefix).append("{\"index\":0,");
      if (chat) {
        out.append("\"delta\":{");
        if (index == 0) {
          out.append("\"role\":\"assistant\",");
        }
        out.append("\"content\":\"");
        token(out, index).append("\"},");
      } else {
        out.append("\"text\":\"");
        token(out, index).append("\",");
      }
      out.append("\"logprobs\":null,\"finish_reason\":");
      out.append(index == completionTokens - 1 ? "\"length\"" : "null").append("}]");
      if (includeUsage) {
        out.append(",\"usage\":null");
      }
      return out.append("}\n\n").toString();
    }

    String usageEvent() {
      StringBuilder out = new StringBuilder(chunkPrefix.length() + 120).append("data: ");
      out.append(chunkPrefix).append("],");
      return usage(out).append("}\n\n").toString();
    }

    private StringBuilder usage(StringBuilder out) {
      return out.append("\"usage\":{\"prompt_tokens\":")
          .append(promptTokens)
          .append(",\"completion_tokens\":")
          .append(completionTokens)
          .append(",\"total_tokens\":")
          .append(promptTokens + completionTokens)
          .append('}');
    }

    private StringBuilder token(StringBuilder out, int index) {
      return out.append(index == 0 ? "tok" : " tok").append(index);
    }
  }
}

package io.sage.examples;

import io.sage.client.UnifiedInferenceClient;
import io.sage.client.chat.ChatRequest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A streamed chat completion, printed delta by delta as the engine produces it. Arguments: {@code
 * [gateway-url] [question]}.
 */
public final class StreamingChatExample {
  private StreamingChatExample() {}

  public static void main(String[] args) {
    GatewayAddress.run(
        "StreamingChatExample",
        () -> {
          UnifiedInferenceClient client = GatewayAddress.client(args);
          String question = GatewayAddress.arg(args, 1, "Tell me a very short story.");
          ChatRequest request = ChatRequest.builder().user(question).maxTokens(32).build();
          AtomicInteger deltas = new AtomicInteger();
          long start = System.nanoTime();
          // closing the stream closes the connection, also when the loop stops early
          try (Stream<String> stream = client.streamChat(request)) {
            stream.forEach(
                delta -> {
                  deltas.incrementAndGet();
                  System.out.print(delta);
                  System.out.flush();
                });
          }
          System.out.println();
          System.out.println(
              "("
                  + deltas.get()
                  + " deltas in "
                  + (System.nanoTime() - start) / 1_000_000
                  + " ms)");
        });
  }
}

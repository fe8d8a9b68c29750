package io.sage.examples;

import io.sage.client.UnifiedInferenceClient;
import io.sage.client.chat.ChatMessage;
import io.sage.client.chat.ChatResult;
import java.util.List;

/**
 * One chat completion. Arguments: {@code [gateway-url] [question]}. Without a model the client
 * takes the first chat model the gateway lists.
 */
public final class ChatExample {
  private ChatExample() {}

  public static void main(String[] args) {
    GatewayAddress.run(
        "ChatExample",
        () -> {
          UnifiedInferenceClient client = GatewayAddress.client(args);
          String question = GatewayAddress.arg(args, 1, "What is a GPU, in one sentence?");
          ChatResult reply =
              client.chat(
                  List.of(ChatMessage.system("Answer briefly."), ChatMessage.user(question)));
          System.out.println("model:  " + reply.model());
          System.out.println("engine: " + reply.engineId());
          System.out.println("answer: " + reply.content());
          System.out.println(
              "tokens: " + reply.usage().totalTokens() + " (finish: " + reply.finishReason() + ")");
        });
  }
}

package io.sage.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.GatewayTransport;
import io.sage.client.SageClientException;
import io.sage.client.chat.ChatMessage;
import io.sage.client.chat.ChatRequest;
import io.sage.client.chat.ChatResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sage chat MODEL}: an interactive prompt (like Ollama's {@code run}). Each line is sent
 * with the conversation so far and the reply is printed as it streams; {@code /exit} or end of
 * input leaves, {@code /clear} forgets the history. The history lives only in this process.
 */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    description = {
      "Chat with a model interactively; the reply streams as it is generated.",
      "Commands: /exit (or /bye, or Ctrl-D) leaves, /clear forgets the conversation, /help."
    },
    footer = {
      "",
      "Examples:",
      "  sage chat Qwen/Qwen2.5-0.5B-Instruct",
      "  sage chat demo-chat --system 'Answer in one sentence.'",
      "  echo 'Hello' | sage chat demo-chat"
    })
final class ChatCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Parameters(paramLabel = "MODEL", description = "The model to chat with (see GET /v1/models).")
  String model;

  @Option(names = "--system", paramLabel = "TEXT", description = "A system message to start with.")
  String system;

  @Option(
      names = "--max-tokens",
      paramLabel = "N",
      description = "Most tokens per reply (default: the engine's).")
  Integer maxTokens;

  @Override
  public Integer call() throws IOException {
    if (maxTokens != null && maxTokens < 1) {
      throw new CliException(SageCli.USAGE, "--max-tokens must be at least 1");
    }
    GatewayTransport transport = client.transport();
    PrintWriter out = client.out();
    boolean prompt = client.environment().interactive();
    List<ChatMessage> history = new ArrayList<>();
    if (system != null) {
      history.add(ChatMessage.system(system));
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (true) {
      if (prompt) {
        out.print(">>> ");
        out.flush();
      }
      String line = in.readLine();
      if (line == null) {
        return SageCli.OK;
      }
      String text = line.strip();
      switch (text) {
        case "" -> {
          continue;
        }
        case "/exit", "/bye" -> {
          return SageCli.OK;
        }
        case "/clear" -> {
          history.removeIf(m -> !m.role().equals("system"));
          out.println("(conversation cleared)");
          continue;
        }
        case "/help", "/?" -> {
          out.println("/exit leaves, /clear forgets the conversation; anything else is sent.");
          continue;
        }
        default -> {}
      }
      history.add(ChatMessage.user(line));
      String reply = stream(transport, out, history);
      if (reply == null) {
        history.remove(history.size() - 1);
      } else {
        history.add(ChatMessage.assistant(reply));
      }
    }
  }

  /** Streams one reply to {@code out}; null when the request failed (the error is printed). */
  private String stream(GatewayTransport transport, PrintWriter out, List<ChatMessage> history) {
    ChatRequest.Builder request = ChatRequest.builder().model(model).messages(history);
    if (maxTokens != null) {
      request.maxTokens(maxTokens);
    }
    StringBuilder reply = new StringBuilder();
    try (Stream<JsonNode> chunks =
        transport.events("/v1/chat/completions", request.build().toBody(true))) {
      Iterator<JsonNode> it = chunks.iterator();
      while (it.hasNext()) {
        String delta = ChatResult.deltaContent(it.next());
        if (!delta.isEmpty()) {
          reply.append(delta);
          out.print(delta);
          out.flush();
        }
      }
      out.println();
      out.flush();
      return reply.toString();
    } catch (SageClientException e) {
      if (reply.length() > 0) {
        out.println();
      }
      CliException failure = client.failure(e);
      if (failure.exitCode() == SageCli.UNREACHABLE) {
        throw failure;
      }
      client.err().println("error: " + failure.getMessage());
      client.err().flush();
      return null;
    }
  }
}

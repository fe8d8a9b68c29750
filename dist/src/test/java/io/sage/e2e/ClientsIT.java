package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: the snippets of docs/clients.md (openai-java, LangChain4j, Spring AI) run against the
 * real gateway and real mock engines. Each snippet is the code between its markers below, and the
 * last test checks that docs/clients.md shows exactly that code.
 */
class ClientsIT {
  private static final Path SOURCE = Path.of("src/test/java/io/sage/e2e/ClientsIT.java");
  private static final Path DOC = Path.of("..", "docs", "clients.md");

  @TempDir static Path dataDir;
  static Gateway gateway;
  static String apiKey;

  @BeforeAll
  static void start() {
    gateway = Gateway.start(dataDir, Map.of("SAGE_AUTH_INFERENCE", "required"));
    String chat = gateway.startEngine("{\"model\":\"demo-chat\",\"runtime\":\"mock\"}");
    String embed =
        gateway.startEngine(
            "{\"model\":\"demo-embed\",\"runtime\":\"mock\",\"engine_kind\":\"embedding\"}");
    gateway.awaitState(chat, "READY", Duration.ofSeconds(60));
    gateway.awaitState(embed, "READY", Duration.ofSeconds(60));
    Http.Response key =
        gateway.post("/v1/management/keys", "{\"name\":\"clients\",\"scope\":\"inference\"}");
    assertThat(key.status()).as(key.body()).isEqualTo(201);
    apiKey = key.json().path("key").asText();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  @Test
  void openAiJava() {
    String gatewayUrl = gateway.url();
    // snippet openai-java
    com.openai.client.OpenAIClient client =
        com.openai.client.okhttp.OpenAIOkHttpClient.builder()
            .baseUrl(gatewayUrl + "/v1")
            .apiKey(apiKey)
            .build();
    com.openai.models.chat.completions.ChatCompletion completion =
        client
            .chat()
            .completions()
            .create(
                com.openai.models.chat.completions.ChatCompletionCreateParams.builder()
                    .model("demo-chat")
                    .addUserMessage("Say hello")
                    .maxCompletionTokens(3)
                    .build());
    String answer = completion.choices().get(0).message().content().orElse("");
    // end snippet
    assertThat(answer).isEqualTo("tok0 tok1 tok2");
  }

  @Test
  void langChain4j() {
    String gatewayUrl = gateway.url();
    // snippet langchain4j
    dev.langchain4j.model.chat.ChatModel model =
        dev.langchain4j.model.openai.OpenAiChatModel.builder()
            .baseUrl(gatewayUrl + "/v1")
            .apiKey(apiKey)
            .modelName("demo-chat")
            .maxTokens(3)
            .build();
    String answer = model.chat("Say hello");
    dev.langchain4j.model.embedding.EmbeddingModel embeddings =
        dev.langchain4j.model.openai.OpenAiEmbeddingModel.builder()
            .baseUrl(gatewayUrl + "/v1")
            .apiKey(apiKey)
            .modelName("demo-embed")
            .build();
    float[] vector = embeddings.embed("a sentence").content().vector();
    // end snippet
    assertThat(answer).isEqualTo("tok0 tok1 tok2");
    assertThat(vector).isNotEmpty();
  }

  @Test
  void springAi() {
    String gatewayUrl = gateway.url();
    // snippet spring-ai
    org.springframework.ai.openai.api.OpenAiApi api =
        org.springframework.ai.openai.api.OpenAiApi.builder()
            .baseUrl(gatewayUrl) // Spring AI adds /v1/chat/completions itself
            .apiKey(apiKey)
            .build();
    org.springframework.ai.openai.OpenAiChatModel chat =
        org.springframework.ai.openai.OpenAiChatModel.builder()
            .openAiApi(api)
            .defaultOptions(
                org.springframework.ai.openai.OpenAiChatOptions.builder()
                    .model("demo-chat")
                    .maxTokens(3)
                    .build())
            .build();
    String answer = chat.call("Say hello");
    // end snippet
    assertThat(answer).isEqualTo("tok0 tok1 tok2");
  }

  @Test
  void theDocShowsExactlyTheTestedSnippets() throws IOException {
    String source = Files.readString(SOURCE);
    String doc = Files.readString(DOC);
    List<String> names = new ArrayList<>();
    Matcher snippet =
        Pattern.compile("// snippet (\\S+)\\n(.*?)\\n\\s*// end snippet", Pattern.DOTALL)
            .matcher(source);
    while (snippet.find()) {
      names.add(snippet.group(1));
      Matcher block =
          Pattern.compile(
                  "<!-- snippet " + Pattern.quote(snippet.group(1)) + " -->\\s*```java\\n(.*?)```",
                  Pattern.DOTALL)
              .matcher(doc);
      assertThat(block.find()).as("docs/clients.md block for " + snippet.group(1)).isTrue();
      assertThat(normalize(block.group(1))).isEqualTo(normalize(snippet.group(2)));
    }
    assertThat(names).containsExactly("openai-java", "langchain4j", "spring-ai");
  }

  private static String normalize(String code) {
    return code.lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .reduce("", (a, b) -> a + b + "\n");
  }
}

package io.sage.client;

import static io.sage.client.FakeGateway.error;
import static io.sage.client.FakeGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.chat.ChatMessage;
import io.sage.client.chat.ChatRequest;
import io.sage.client.chat.ChatResult;
import io.sage.client.completion.CompletionRequest;
import io.sage.client.completion.CompletionResult;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UnifiedInferenceClientTest {

  static final String CHAT_ANSWER =
      """
      {"id":"chatcmpl-1","object":"chat.completion","model":"llama",
       "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"finish_reason":"stop"}],
       "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""";

  static final String MODELS =
      """
      {"object":"list","data":[
        {"id":"minilm","object":"model","engine_kind":"embedding"},
        {"id":"llama","object":"model","engine_kind":"llm"},
        {"id":"qwen","object":"model","engine_kind":"llm"}]}""";

  private final FakeGateway gateway = FakeGateway.start();

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void chatReturnsTheAnswerAndSendsTemperatureZeroAsZero() {
    gateway.on(
        "POST", "/v1/chat/completions", json(200, CHAT_ANSWER, "x-sage-engine-id", "engine-7"));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder().baseUrl(gateway.url()).apiKey("sk-test").build();

    ChatResult result =
        client.chat(
            ChatRequest.builder()
                .model("llama")
                .system("Be brief.")
                .user("Hi")
                .temperature(0.0)
                .maxTokens(8)
                .build());

    assertThat(result.content()).isEqualTo("Hello there");
    assertThat(result.model()).isEqualTo("llama");
    assertThat(result.finishReason()).isEqualTo("stop");
    assertThat(result.usage().totalTokens()).isEqualTo(7);
    assertThat(result.usage().promptTokens()).isEqualTo(5);
    assertThat(result.engineId()).isEqualTo("engine-7");

    FakeGateway.Recorded sent = gateway.requests("POST", "/v1/chat/completions").get(0);
    JsonNode body = sent.json();
    assertThat(body.get("model").asText()).isEqualTo("llama");
    assertThat(body.get("temperature").isNumber()).isTrue();
    assertThat(body.get("temperature").asDouble()).isEqualTo(0.0);
    assertThat(body.get("max_tokens").asInt()).isEqualTo(8);
    assertThat(body.get("messages")).hasSize(2);
    assertThat(body.get("messages").get(0).get("role").asText()).isEqualTo("system");
    assertThat(body.get("messages").get(1).get("content").asText()).isEqualTo("Hi");
    assertThat(body.has("top_p")).isFalse();
    assertThat(body.has("stream")).isFalse();
    assertThat(sent.header("Authorization")).isEqualTo("Bearer sk-test");
  }

  @Test
  void fromEnvTakesTheGatewayAndKeyFromTheVariablesTheCliReads() {
    gateway.on("POST", "/v1/chat/completions", json(200, CHAT_ANSWER));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.fromEnv(
                java.util.Map.of(
                    "SAGE_GATEWAY_URL",
                    " http://127.0.0.1:1 , " + gateway.url() + "/v1",
                    "SAGE_API_KEY",
                    "sk-from-env"))
            .maxRetries(1)
            .build();
    assertThat(client.transport().gateways()).hasSize(2);
    assertThat(client.chat(ChatRequest.builder().model("llama").user("Hi").build()).content())
        .isEqualTo("Hello there");
    assertThat(gateway.requests("POST", "/v1/chat/completions").get(0).header("Authorization"))
        .isEqualTo("Bearer sk-from-env");
    assertThat(UnifiedInferenceClient.fromEnv(java.util.Map.of()).build().transport().gateways())
        .hasToString("[http://127.0.0.1:8000]");
  }

  @Test
  void chatWithoutTemperatureSendsNone() {
    gateway.on("POST", "/v1/chat/completions", json(200, CHAT_ANSWER));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder().baseUrl(gateway.url()).defaultChatModel("llama").build();

    client.chat(List.of(ChatMessage.user("Hi")));

    JsonNode body = gateway.requests("POST", "/v1/chat/completions").get(0).json();
    assertThat(body.has("temperature")).isFalse();
    assertThat(body.get("model").asText()).isEqualTo("llama");
    assertThat(gateway.requests("GET", "/v1/models")).isEmpty();
  }

  @Test
  void urlWorksWithOrWithoutTheV1Suffix() {
    gateway.on("GET", "/v1/models", json(200, MODELS));

    assertThat(UnifiedInferenceClient.create(gateway.url() + "/v1").models())
        .containsExactly("minilm", "llama", "qwen");
    assertThat(UnifiedInferenceClient.create(gateway.url() + "/v1/").models()).hasSize(3);
    assertThat(UnifiedInferenceClient.create(gateway.url()).models()).hasSize(3);
    assertThat(gateway.requests("GET", "/v1/models")).hasSize(3);
  }

  @Test
  void withoutAModelTheFirstListedModelOfTheRightKindIsUsedAndTheListIsCached() {
    gateway.on("GET", "/v1/models", json(200, MODELS));
    gateway.on("POST", "/v1/chat/completions", json(200, CHAT_ANSWER));
    gateway.on(
        "POST",
        "/v1/embeddings",
        json(200, "{\"data\":[{\"index\":0,\"embedding\":[0.5,1.0]}],\"model\":\"minilm\"}"));
    UnifiedInferenceClient client = UnifiedInferenceClient.create(gateway.url());

    client.chat(List.of(ChatMessage.user("one")));
    client.chat(List.of(ChatMessage.user("two")));
    client.embed("text");

    assertThat(gateway.requests("POST", "/v1/chat/completions"))
        .extracting(r -> r.json().get("model").asText())
        .containsExactly("llama", "llama");
    assertThat(gateway.requests("POST", "/v1/embeddings").get(0).json().get("model").asText())
        .isEqualTo("minilm");
    assertThat(gateway.requests("GET", "/v1/models")).hasSize(1);
  }

  @Test
  void withoutAnyLlmModelChatFailsWithModelNotFound() {
    gateway.on(
        "GET",
        "/v1/models",
        json(200, "{\"data\":[{\"id\":\"minilm\",\"engine_kind\":\"embedding\"}]}"));
    UnifiedInferenceClient client = UnifiedInferenceClient.create(gateway.url());

    assertThatThrownBy(() -> client.chat(List.of(ChatMessage.user("Hi"))))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.code()).contains("model_not_found");
              assertThat(e.getMessage()).contains("llm");
            });
    assertThat(gateway.requests("POST", "/v1/chat/completions")).isEmpty();
  }

  @Test
  void completeSendsThePromptAndReturnsTheText() {
    gateway.on(
        "POST",
        "/v1/completions",
        json(
            200,
            """
        {"id":"cmpl-1","model":"llama","choices":[{"index":0,"text":" world","finish_reason":"length"}],
         "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""",
            "x-sage-engine-id",
            "engine-2"));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder().baseUrl(gateway.url()).defaultChatModel("llama").build();

    CompletionResult plain = client.complete("hello");
    CompletionResult tuned =
        client.complete(
            CompletionRequest.builder().model("qwen").prompt("hi").temperature(0.0).build());

    assertThat(plain.text()).isEqualTo(" world");
    assertThat(plain.finishReason()).isEqualTo("length");
    assertThat(plain.engineId()).isEqualTo("engine-2");
    List<FakeGateway.Recorded> sent = gateway.requests("POST", "/v1/completions");
    assertThat(sent.get(0).json().get("prompt").asText()).isEqualTo("hello");
    assertThat(sent.get(0).json().get("model").asText()).isEqualTo("llama");
    assertThat(sent.get(0).json().has("temperature")).isFalse();
    assertThat(sent.get(1).json().get("model").asText()).isEqualTo("qwen");
    assertThat(sent.get(1).json().get("temperature").asDouble()).isEqualTo(0.0);
    assertThat(tuned.usage().totalTokens()).isEqualTo(2);
  }

  @Test
  void embedReturnsVectorsInInputOrderWhateverTheAnswerOrder() {
    gateway.on(
        "POST",
        "/v1/embeddings",
        json(
            200,
            """
        {"object":"list","model":"minilm","data":[
          {"index":1,"embedding":[2.0,2.5]},
          {"index":0,"embedding":[1.0,1.5]}]}"""));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder()
            .baseUrl(gateway.url())
            .defaultEmbeddingModel("minilm")
            .build();

    List<float[]> vectors = client.embed(List.of("first", "second"));

    assertThat(vectors).hasSize(2);
    assertThat(vectors.get(0)).containsExactly(1.0f, 1.5f);
    assertThat(vectors.get(1)).containsExactly(2.0f, 2.5f);
    JsonNode body = gateway.requests("POST", "/v1/embeddings").get(0).json();
    assertThat(body.get("input")).hasSize(2);
    assertThat(body.get("input").get(0).asText()).isEqualTo("first");
    assertThat(body.get("model").asText()).isEqualTo("minilm");
  }

  @Test
  void embedRejectsAnAnswerMissingAVector() {
    gateway.on(
        "POST", "/v1/embeddings", json(200, "{\"data\":[{\"index\":0,\"embedding\":[1.0]}]}"));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder()
            .baseUrl(gateway.url())
            .defaultEmbeddingModel("minilm")
            .build();

    assertThatThrownBy(() -> client.embed(List.of("a", "b")))
        .isInstanceOf(SageClientException.class)
        .hasMessageContaining("1 vectors for 2 inputs");
  }

  @Test
  void errorAnswersCarryStatusTypeCodeAndMessage() {
    gateway.on(
        "POST",
        "/v1/chat/completions",
        error(404, "invalid_request_error", "model_not_found", "model 'nope' is not served"));
    UnifiedInferenceClient client = UnifiedInferenceClient.create(gateway.url());

    assertThatThrownBy(() -> client.chat(ChatRequest.builder().model("nope").user("Hi").build()))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.type()).contains("invalid_request_error");
              assertThat(e.code()).contains("model_not_found");
              assertThat(e.errorMessage()).isEqualTo("model 'nope' is not served");
              assertThat(e.getMessage()).contains("404", "model 'nope' is not served");
              assertThat(e.isRetryable()).isFalse();
            });
    assertThat(gateway.requests("POST", "/v1/chat/completions")).hasSize(1);
  }

  @Test
  void aNonJsonErrorBodyBecomesTheMessage() {
    gateway.on("GET", "/v1/models", FakeGateway.text(500, "proxy exploded"));
    UnifiedInferenceClient client = UnifiedInferenceClient.create(gateway.url());

    assertThatThrownBy(client::models)
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.status()).isEqualTo(500);
              assertThat(e.code()).isEmpty();
              assertThat(e.errorMessage()).isEqualTo("proxy exploded");
            });
  }

  @Test
  void theBuilderNeedsAUrlAndRejectsNonHttpOnes() {
    assertThatThrownBy(() -> UnifiedInferenceClient.builder().build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> UnifiedInferenceClient.create("ftp://host/v1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

package io.sage.client;

import static io.sage.client.FakeGateway.error;
import static io.sage.client.FakeGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.client.chat.ChatRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RetryAndFailoverTest {

  private static final String NOT_READY =
      "{\"error\":{\"message\":\"no READY engine for llama\",\"type\":\"service_unavailable\",\"code\":\"no_ready_engine\"}}";

  private final FakeGateway first = FakeGateway.start();
  private final FakeGateway second = FakeGateway.start();

  @AfterEach
  void stop() {
    first.close();
    second.close();
  }

  private static ChatRequest request() {
    return ChatRequest.builder().model("llama").user("Hi").temperature(0.0).build();
  }

  @Test
  void a503IsRetriedAfterItsRetryAfter() {
    first.on(
        "POST",
        "/v1/chat/completions",
        json(503, NOT_READY, "Retry-After", "1"),
        json(200, UnifiedInferenceClientTest.CHAT_ANSWER));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder().baseUrl(first.url()).initialBackoff(Duration.ZERO).build();

    long startedAt = System.nanoTime();
    String content = client.chat(request()).content();
    Duration waited = Duration.ofNanos(System.nanoTime() - startedAt);

    assertThat(content).isEqualTo("Hello there");
    assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    List<FakeGateway.Recorded> sent = first.requests("POST", "/v1/chat/completions");
    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).body()).isEqualTo(sent.get(0).body());
  }

  @Test
  void retryAfterIsCappedByTheConfiguredMaximum() {
    first.on(
        "POST",
        "/v1/chat/completions",
        json(503, NOT_READY, "Retry-After", "3600"),
        json(200, UnifiedInferenceClientTest.CHAT_ANSWER));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder()
            .baseUrl(first.url())
            .maxRetryWait(Duration.ofMillis(50))
            .build();

    assertThat(client.chat(request()).content()).isEqualTo("Hello there");
    assertThat(first.requests("POST", "/v1/chat/completions")).hasSize(2);
  }

  @Test
  void aPersistent503GivesUpWithTheGatewaysError() {
    first.on("POST", "/v1/chat/completions", json(503, NOT_READY, "Retry-After", "0"));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder().baseUrl(first.url()).maxRetries(2).build();

    assertThatThrownBy(() -> client.chat(request()))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.code()).contains("no_ready_engine");
              assertThat(e.isRetryable()).isTrue();
            });
    assertThat(first.requests("POST", "/v1/chat/completions")).hasSize(3);
  }

  @Test
  void aDeadGatewayFailsOverToTheNextWithTheSameModelAndBody() {
    second.on("POST", "/v1/chat/completions", json(200, UnifiedInferenceClientTest.CHAT_ANSWER));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder()
            .baseUrls(List.of(FakeGateway.deadUrl() + "/v1", second.url() + "/v1"))
            .build();

    assertThat(client.chat(request()).content()).isEqualTo("Hello there");

    var body = second.requests("POST", "/v1/chat/completions").get(0).json();
    assertThat(body.get("model").asText()).isEqualTo("llama");
    assertThat(body.get("temperature").asDouble()).isEqualTo(0.0);
  }

  @Test
  void aGatewayThatStays503FailsOverToTheNextWithTheSameBody() {
    first.on("POST", "/v1/chat/completions", json(503, NOT_READY, "Retry-After", "0"));
    second.on("POST", "/v1/chat/completions", json(200, UnifiedInferenceClientTest.CHAT_ANSWER));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder()
            .baseUrl(first.url())
            .baseUrl(second.url())
            .maxRetries(1)
            .build();

    assertThat(client.chat(request()).content()).isEqualTo("Hello there");

    List<FakeGateway.Recorded> toFirst = first.requests("POST", "/v1/chat/completions");
    List<FakeGateway.Recorded> toSecond = second.requests("POST", "/v1/chat/completions");
    assertThat(toFirst).hasSize(2);
    assertThat(toSecond).hasSize(1);
    assertThat(toSecond.get(0).body()).isEqualTo(toFirst.get(0).body());
  }

  @Test
  void afterAFailoverTheWorkingGatewayIsTriedFirst() {
    second.on("GET", "/v1/models", json(200, "{\"data\":[]}"));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder()
            .baseUrl(first.url())
            .baseUrl(second.url())
            .initialBackoff(Duration.ZERO)
            .build();
    first.close();

    client.models();
    client.models();

    assertThat(second.requests("GET", "/v1/models")).hasSize(2);
  }

  @Test
  void noReachableGatewayFailsWithAConnectionError() {
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder()
            .baseUrl(FakeGateway.deadUrl())
            .baseUrl(FakeGateway.deadUrl())
            .maxRetries(1)
            .initialBackoff(Duration.ofMillis(10))
            .build();

    assertThatThrownBy(client::models)
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.status()).isZero();
              assertThat(e.type()).contains("connection_error");
              assertThat(e.isRetryable()).isTrue();
              assertThat(e.getMessage()).contains("cannot connect");
            });
  }

  @Test
  void clientErrorsAreNeitherRetriedNorFailedOver() {
    first.on(
        "POST",
        "/v1/chat/completions",
        error(400, "invalid_request_error", "invalid_json", "bad body"));
    second.on("POST", "/v1/chat/completions", json(200, UnifiedInferenceClientTest.CHAT_ANSWER));
    UnifiedInferenceClient client =
        UnifiedInferenceClient.builder().baseUrl(first.url()).baseUrl(second.url()).build();

    assertThatThrownBy(() -> client.chat(request()))
        .isInstanceOfSatisfying(
            SageClientException.class, e -> assertThat(e.status()).isEqualTo(400));
    assertThat(first.requests()).hasSize(1);
    assertThat(second.requests()).isEmpty();
  }
}

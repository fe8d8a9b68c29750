package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.SageClientException;
import io.sage.client.UnifiedInferenceClient;
import io.sage.client.chat.ChatMessage;
import io.sage.client.chat.ChatRequest;
import io.sage.client.chat.ChatResult;
import io.sage.client.completion.CompletionRequest;
import io.sage.client.completion.CompletionResult;
import io.sage.client.management.AuditEntry;
import io.sage.client.management.AuditFilter;
import io.sage.client.management.EngineEvent;
import io.sage.client.management.EngineHandle;
import io.sage.client.management.EngineInfo;
import io.sage.client.management.EngineSpec;
import io.sage.client.management.EngineState;
import io.sage.client.management.ManagementClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8: the client SDK against the real gateway and real mock engine processes: every call,
 * streaming, Retry-After, failover between two gateways, temperature 0, error mapping, management.
 */
class ClientIT {
  static final Duration READY = Duration.ofSeconds(60);

  @TempDir static Path dataDir;
  static Gateway gateway;
  static UnifiedInferenceClient client;
  static String chatEngine;

  @BeforeAll
  static void start() {
    // a short mock startup timeout so that an engine that never becomes healthy fails in seconds
    gateway = Gateway.start(dataDir, Map.of("SAGE_STARTUP_TIMEOUT_MOCK", "10s"));
    chatEngine = gateway.startEngine(engine("chat-model", "llm", "\"log_requests\":true"));
    String slow = gateway.startEngine(engine("slow-model", "llm", "\"tokens_per_second\":5"));
    String embed = gateway.startEngine(engine("embed-model", "embedding", "\"embedding_dim\":16"));
    for (String id : List.of(chatEngine, slow, embed)) {
      gateway.awaitState(id, "READY", READY);
    }
    // management needs the admin key; inference on loopback would work without one
    client =
        UnifiedInferenceClient.builder()
            .baseUrl(gateway.url() + "/v1")
            .apiKey(gateway.adminKey())
            .defaultChatModel("chat-model")
            .defaultEmbeddingModel("embed-model")
            .build();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  static String engine(String model, String kind, String options) {
    return "{\"model\":\""
        + model
        + "\",\"engine_kind\":\""
        + kind
        + "\",\"runtime\":\"mock\",\"options\":{"
        + options
        + "}}";
  }

  @Test
  void everyInferenceCallWorksThroughTheGateway() {
    ChatResult chat = client.chat(List.of(ChatMessage.user("hello there")));
    assertThat(chat.model()).isEqualTo("chat-model");
    assertThat(chat.engineId()).isEqualTo(chatEngine);
    assertThat(chat.content()).isNotBlank();
    assertThat(chat.usage().totalTokens()).isPositive();

    CompletionResult completion =
        client.complete(CompletionRequest.builder().prompt("once upon").maxTokens(5).build());
    assertThat(completion.text()).isNotBlank();
    assertThat(completion.model()).isEqualTo("chat-model");
    assertThat(completion.usage().completionTokens()).isEqualTo(5);

    List<float[]> vectors = client.embed(List.of("first", "second", "third"));
    assertThat(vectors).hasSize(3).allSatisfy(v -> assertThat(v).hasSize(16));
    assertThat(client.embed("first")).containsExactly(vectors.get(0));

    assertThat(client.models()).contains("chat-model", "slow-model", "embed-model");
  }

  @Test
  void streamedDeltasArriveWhileTheEngineIsStillProducing() {
    List<Long> arrivals = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    long start = System.nanoTime();
    // 10 tokens at 5 per second: about 2 s between the first delta and the last
    try (Stream<String> deltas =
        client.streamChat(
            ChatRequest.builder()
                .model("slow-model")
                .user("tell me a story")
                .maxTokens(10)
                .build())) {
      deltas.forEach(
          delta -> {
            arrivals.add((System.nanoTime() - start) / 1_000_000);
            text.append(delta);
          });
    }
    long end = (System.nanoTime() - start) / 1_000_000;
    assertThat(text.toString()).isNotBlank();
    assertThat(arrivals).hasSizeGreaterThanOrEqualTo(5);
    assertThat(end - arrivals.get(0))
        .as("first delta %s ms before the end (%s ms)", arrivals, end)
        .isGreaterThanOrEqualTo(1000);
  }

  @Test
  void temperatureZeroReachesTheEngineAsZero() {
    ChatResult reply =
        client.chat(
            ChatRequest.builder().user("exactly please").temperature(0.0).maxTokens(2).build());
    assertThat(reply.engineId()).isEqualTo(chatEngine);

    String log = client.management().logs(chatEngine, 20);
    String lastRequest =
        log.lines()
            .filter(l -> l.contains("path=/v1/chat/completions"))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError("no request logged:\n" + log));
    assertThat(lastRequest)
        .containsPattern("\"temperature\":0(\\.0+)?[,}]")
        .contains("exactly please");
  }

  @Test
  void errorsAreMappedToSageClientException() {
    assertThatThrownBy(
            () -> client.chat(ChatRequest.builder().model("no-such-model").user("hi").build()))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.code()).contains("model_not_found");
              assertThat(e.type()).isPresent();
              assertThat(e.isRetryable()).isFalse();
            });
    assertThatThrownBy(
            () -> client.chat(ChatRequest.builder().model("embed-model").user("hi").build()))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.errorMessage()).contains("/v1/embeddings");
            });
    assertThatThrownBy(() -> client.management().engine("no-such-engine"))
        .isInstanceOfSatisfying(
            SageClientException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void retryAfterIsHonouredUntilAnEngineIsReady() throws Exception {
    // known model, nothing READY: an engine that hangs from the start stays STARTING, then ERROR
    String hanging =
        gateway.startEngine(
            engine("late-model", "llm", "\"hang_after_s\":0,\"restart_policy\":\"never\""));
    Http.Response direct =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"late-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(direct.status()).as(direct.body()).isEqualTo(503);
    assertThat(direct.header("Retry-After")).isEqualTo("5");

    UnifiedInferenceClient patient =
        UnifiedInferenceClient.builder()
            .baseUrl(gateway.url())
            .maxRetries(6)
            .maxRetryWait(Duration.ofSeconds(10))
            .build();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      long start = System.nanoTime();
      Future<ChatResult> reply =
          executor.submit(
              () -> patient.chat(ChatRequest.builder().model("late-model").user("hi").build()));
      // the client's first try has been answered 503 (the second 503 for late-model in the access
      // log) before an engine that could serve it exists
      Await.until(
          "the client's first try answered 503",
          Duration.ofSeconds(20),
          () -> lateModel503s() >= 2);
      String healthy = gateway.startEngine(engine("late-model", "llm", ""));
      ChatResult result = reply.get(90, TimeUnit.SECONDS);
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      // the first answer was 503 (seen above, before the new engine was even started); the
      // client waited the 5 s the gateway asked for, not its own 250 ms backoff
      assertThat(elapsed).isGreaterThanOrEqualTo(4500);
      assertThat(result.engineId()).isEqualTo(healthy).isNotEqualTo(hanging);
      assertThat(result.model()).isEqualTo("late-model");
    } finally {
      executor.shutdownNow();
    }

    UnifiedInferenceClient capped =
        UnifiedInferenceClient.builder()
            .baseUrl(gateway.url())
            .maxRetries(2)
            .maxRetryWait(Duration.ofMillis(500))
            .build();
    String stillStarting =
        gateway.startEngine(
            engine("never-model", "llm", "\"hang_after_s\":0,\"restart_policy\":\"never\""));
    long start = System.nanoTime();
    assertThatThrownBy(
            () -> capped.chat(ChatRequest.builder().model("never-model").user("hi").build()))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.isRetryable()).isTrue();
            });
    // two capped waits of 500 ms, not 2 x 5 s
    assertThat((System.nanoTime() - start) / 1_000_000).isBetween(900L, 9_000L);
    assertThat(gateway.engine(stillStarting).get("state").asText()).isIn("STARTING", "ERROR");
  }

  @Test
  void managementStartsWaitsListsAndStops() {
    ManagementClient admin = client.management();
    EngineHandle handle =
        admin.start(
            EngineSpec.builder("managed-model")
                .engineKind("llm")
                .runtime("mock")
                .label("client-it")
                .option("latency_ms", 1)
                .build());
    assertThat(handle.started().state()).isIn(EngineState.STARTING, EngineState.READY);
    List<EngineState> seen = new CopyOnWriteArrayList<>();
    EngineInfo ready = handle.awaitReady(READY, info -> seen.add(info.state()));
    assertThat(seen).last().isEqualTo(EngineState.READY);
    assertThat(ready.id()).isEqualTo(handle.id());
    assertThat(ready.model()).isEqualTo("managed-model");
    assertThat(ready.servedModelName()).isEqualTo("managed-model");
    assertThat(ready.engineKind()).isEqualTo("llm");
    assertThat(ready.runtime()).isEqualTo("mock");
    assertThat(ready.label()).isEqualTo("client-it");
    assertThat(ready.desiredState()).isEqualTo("RUNNING");
    assertThat(ready.port()).isPositive();
    assertThat(ready.baseUrl()).startsWith("http://127.0.0.1:" + ready.port());
    assertThat(ready.pid()).isPositive();
    assertThat(ready.options()).containsKey("latency_ms");
    assertThat(ready.createdAt()).isNotNull();
    assertThat(ready.stateSince()).isNotNull();

    assertThat(admin.engines()).extracting(EngineInfo::id).contains(handle.id(), chatEngine);
    List<EngineEvent> events = admin.events(handle.id());
    assertThat(events.get(0).to()).isEqualTo(EngineState.READY);
    assertThat(events.get(0).engineId()).isEqualTo(handle.id());
    assertThat(events).last().satisfies(e -> assertThat(e.from()).isNull());

    JsonNode backends = admin.backends();
    assertThat(backends.path("llm_backends").findValuesAsText("engine_id")).contains(handle.id());
    assertThat(backends.path("embedding_backends").findValuesAsText("model"))
        .contains("embed-model");
    JsonNode gpu = admin.gpu();
    assertThat(gpu.path("provider").asText()).isNotBlank();
    assertThat(gpu.path("gpus").isArray()).isTrue();

    EngineInfo stopping = admin.stop(handle.id(), true);
    assertThat(stopping.state()).isIn(EngineState.DRAINING, EngineState.STOPPED);
    EngineInfo stopped = awaitState(admin, handle.id(), EngineState.STOPPED);
    assertThat(stopped.pid() == null || ProcessHandle.of(stopped.pid()).isEmpty()).isTrue();
    assertThatThrownBy(() -> admin.stop(handle.id(), true))
        .isInstanceOfSatisfying(
            SageClientException.class, e -> assertThat(e.status()).isEqualTo(409));

    List<AuditEntry> audit = admin.audit(AuditFilter.ALL.withTarget(handle.id()).withLimit(10));
    assertThat(audit).extracting(AuditEntry::action).contains("engine.start", "engine.stop");
    assertThat(audit)
        .allSatisfy(
            a -> {
              assertThat(a.at()).isNotNull();
              assertThat(a.id()).isNotNull();
              assertThat(a.target()).isEqualTo(handle.id());
            });
    assertThat(admin.audit(AuditFilter.ALL.withAction("engine.stop").withLimit(1))).hasSize(1);
  }

  @Test
  void awaitReadyFailsWithTheReasonWhenTheEngineGoesToError() {
    ManagementClient admin = client.management();
    EngineHandle handle =
        admin.start(
            EngineSpec.builder("broken-model")
                .runtime("mock")
                .option("fail_health_after_s", 0)
                .option("restart_policy", "never")
                .build());
    assertThatThrownBy(() -> handle.awaitReady(READY))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.engineId()).contains(handle.id());
              assertThat(e.code()).contains("engine_error");
              assertThat(e.getMessage()).contains(handle.id()).contains("startup timeout");
            });
    assertThat(admin.events(handle.id()).get(0).reason()).contains("startup timeout");
    admin.stop(handle.id(), false);
    awaitState(admin, handle.id(), EngineState.STOPPED);
  }

  @Test
  void failoverToTheSecondGatewayKeepsTheModel(@TempDir Path otherDir) {
    String survivorEngine = gateway.startEngine(engine("shared-model", "llm", ""));
    Gateway doomed = Gateway.start(otherDir);
    long orphan = -1;
    try {
      String doomedEngine = doomed.startEngine(engine("shared-model", "llm", ""));
      orphan = doomed.awaitState(doomedEngine, "READY", READY).get("pid").asLong();
      gateway.awaitState(survivorEngine, "READY", READY);
      UnifiedInferenceClient both =
          UnifiedInferenceClient.builder()
              .baseUrl(doomed.url())
              .baseUrl(gateway.url() + "/v1")
              .build();

      ChatResult before =
          both.chat(ChatRequest.builder().model("shared-model").user("one").build());
      assertThat(before.engineId()).isEqualTo(doomedEngine);

      doomed.kill9();
      for (int i = 0; i < 3; i++) {
        ChatResult after =
            both.chat(ChatRequest.builder().model("shared-model").user("two").build());
        assertThat(after.engineId()).isEqualTo(survivorEngine);
        assertThat(after.model()).isEqualTo("shared-model");
      }
      try (Stream<String> deltas =
          both.streamChat(ChatRequest.builder().model("shared-model").user("three").build())) {
        assertThat(deltas.count()).isPositive();
      }
    } finally {
      // the killed gateway's engine outlives it (that is what re-adoption relies on); end it here
      // rather than through a restarted gateway, which costs half a minute after a kill -9
      doomed.kill9();
      if (orphan > 0) {
        ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
      }
      gateway.post("/v1/management/engines/" + survivorEngine + "/stop?drain=false", "");
    }
    Await.until(
        "no process left under " + otherDir,
        Duration.ofSeconds(20),
        () -> Leftovers.processesUnder(otherDir).isEmpty());
    assertThat(Leftovers.killAll(otherDir)).isZero();
  }

  private static EngineInfo awaitState(ManagementClient admin, String id, EngineState state) {
    return Await.until(
        "engine " + id + " in " + state, READY, () -> admin.engine(id), i -> i.state() == state);
  }

  /** Access log lines of requests for late-model answered 503. */
  private static long lateModel503s() {
    Path file = dataDir.resolve("logs/access.log");
    if (!Files.exists(file)) {
      return 0;
    }
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> l.contains("\"model\":\"late-model\"") && l.contains("\"status\":503"))
          .count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

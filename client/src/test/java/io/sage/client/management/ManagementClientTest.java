package io.sage.client.management;

import static io.sage.client.FakeGateway.error;
import static io.sage.client.FakeGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.FakeGateway;
import io.sage.client.SageClientException;
import io.sage.client.UnifiedInferenceClient;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ManagementClientTest {

  private final FakeGateway gateway = FakeGateway.start();
  private final ManagementClient management =
      UnifiedInferenceClient.builder()
          .baseUrl(gateway.url())
          .apiKey("admin-key")
          .pollInterval(Duration.ofMillis(10))
          .build()
          .management();

  @AfterEach
  void stop() {
    gateway.close();
  }

  static String engine(String id, String state, String lastError) {
    return """
        {"id":"%s","model":"Qwen/Qwen2.5-0.5B","served_model_name":"qwen","engine_kind":"llm",
         "runtime":"mock","state":"%s","desired_state":"RUNNING","host":"127.0.0.1","port":9001,
         "base_url":"http://127.0.0.1:9001","pid":4242,"gpu_ids":[0,1],"tensor_parallel_size":2,
         "label":"demo","options":{"latency_ms":5,"hf_token":"****"},"extra_args":["--enforce-eager"],
         "created_at":"2024-05-01T10:00:00Z","updated_at":"2024-05-01T10:00:05.5Z",
         "state_since":"2024-05-01T10:00:05Z","last_heartbeat_at":null,
         "consecutive_failures":1,"active_requests":3,"restart_count":2,"last_error":%s}"""
        .formatted(id, state, lastError == null ? "null" : "\"" + lastError + "\"");
  }

  @Test
  void enginesAreReadWithEveryField() {
    gateway.on(
        "GET",
        "/v1/management/engines",
        json(200, "{\"engines\":[" + engine("e1", "READY", null) + "],\"count\":1}"));

    List<EngineInfo> engines = management.engines();

    assertThat(engines).hasSize(1);
    EngineInfo info = engines.get(0);
    assertThat(info.id()).isEqualTo("e1");
    assertThat(info.model()).isEqualTo("Qwen/Qwen2.5-0.5B");
    assertThat(info.servedModelName()).isEqualTo("qwen");
    assertThat(info.engineKind()).isEqualTo("llm");
    assertThat(info.runtime()).isEqualTo("mock");
    assertThat(info.state()).isEqualTo(EngineState.READY);
    assertThat(info.isReady()).isTrue();
    assertThat(info.desiredState()).isEqualTo("RUNNING");
    assertThat(info.port()).isEqualTo(9001);
    assertThat(info.baseUrl()).isEqualTo("http://127.0.0.1:9001");
    assertThat(info.pid()).isEqualTo(4242L);
    assertThat(info.gpuIds()).containsExactly(0, 1);
    assertThat(info.tensorParallelSize()).isEqualTo(2);
    assertThat(info.label()).isEqualTo("demo");
    assertThat(info.options()).containsEntry("latency_ms", 5).containsEntry("hf_token", "****");
    assertThat(info.extraArgs()).containsExactly("--enforce-eager");
    assertThat(info.createdAt()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(info.updatedAt()).isEqualTo(Instant.parse("2024-05-01T10:00:05.5Z"));
    assertThat(info.lastHeartbeatAt()).isNull();
    assertThat(info.consecutiveFailures()).isEqualTo(1);
    assertThat(info.activeRequests()).isEqualTo(3);
    assertThat(info.restartCount()).isEqualTo(2);
    assertThat(gateway.requests().get(0).header("Authorization")).isEqualTo("Bearer admin-key");
  }

  @Test
  void anUnknownEngineIsA404WithTheGatewaysCode() {
    gateway.on(
        "GET",
        "/v1/management/engines/nope",
        error(404, "invalid_request_error", "engine_not_found", "engine nope not found"));

    assertThatThrownBy(() -> management.engine("nope"))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.code()).contains("engine_not_found");
              assertThat(e.errorMessage()).isEqualTo("engine nope not found");
            });
  }

  @Test
  void startSendsTheSpecInSnakeCaseWithoutNulls() {
    gateway.on("POST", "/v1/management/engines", json(202, engine("e1", "STARTING", null)));

    EngineHandle handle =
        management.start(
            EngineSpec.builder("Qwen/Qwen2.5-0.5B")
                .engineKind("llm")
                .runtime("mock")
                .tensorParallelSize(2)
                .servedModelName("qwen")
                .extraArgs(List.of("--max-model-len", "4096"))
                .option("latency_ms", 5)
                .option("enforce_eager", true)
                .build());

    assertThat(handle.id()).isEqualTo("e1");
    assertThat(handle.started().state()).isEqualTo(EngineState.STARTING);
    JsonNode body = gateway.requests("POST", "/v1/management/engines").get(0).json();
    assertThat(body.get("model").asText()).isEqualTo("Qwen/Qwen2.5-0.5B");
    assertThat(body.get("engine_kind").asText()).isEqualTo("llm");
    assertThat(body.get("runtime").asText()).isEqualTo("mock");
    assertThat(body.get("tensor_parallel_size").asInt()).isEqualTo(2);
    assertThat(body.get("served_model_name").asText()).isEqualTo("qwen");
    assertThat(body.get("extra_args").get(1).asText()).isEqualTo("4096");
    assertThat(body.get("options").get("latency_ms").asInt()).isEqualTo(5);
    assertThat(body.get("options").get("enforce_eager").asBoolean()).isTrue();
    assertThat(body.has("port")).isFalse();
    assertThat(body.has("gpu_ids")).isFalse();
    assertThat(body.has("use_gpu")).isFalse();
    assertThat(body.has("label")).isFalse();
  }

  @Test
  void awaitReadyPollsUntilReady() {
    gateway.on("POST", "/v1/management/engines", json(202, engine("e1", "STARTING", null)));
    gateway.on(
        "GET",
        "/v1/management/engines/e1",
        json(200, engine("e1", "STARTING", null)),
        json(200, engine("e1", "STARTING", null)),
        json(200, engine("e1", "READY", null)));
    List<EngineState> seen = new ArrayList<>();

    EngineInfo ready =
        management
            .start(EngineSpec.builder("m").build())
            .awaitReady(Duration.ofSeconds(10), info -> seen.add(info.state()));

    assertThat(ready.state()).isEqualTo(EngineState.READY);
    assertThat(seen).containsExactly(EngineState.STARTING, EngineState.STARTING, EngineState.READY);
  }

  @Test
  void awaitReadyThrowsTheEnginesReasonOnError() {
    gateway.on("POST", "/v1/management/engines", json(202, engine("e1", "STARTING", null)));
    gateway.on(
        "GET",
        "/v1/management/engines/e1",
        json(200, engine("e1", "STARTING", null)),
        json(200, engine("e1", "ERROR", "process exited with code 1: CUDA out of memory")));

    EngineHandle handle = management.start(EngineSpec.builder("m").build());

    assertThatThrownBy(() -> handle.awaitReady(Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.getMessage())
                  .contains("e1", "process exited with code 1: CUDA out of memory");
              assertThat(e.engineId()).contains("e1");
              assertThat(e.code()).contains("engine_error");
            });
  }

  @Test
  void awaitReadyTimesOutNamingTheStateItIsStillIn() {
    gateway.on("POST", "/v1/management/engines", json(202, engine("e1", "STARTING", null)));
    gateway.on("GET", "/v1/management/engines/e1", json(200, engine("e1", "STARTING", null)));

    EngineHandle handle = management.start(EngineSpec.builder("m").build());

    assertThatThrownBy(() -> handle.awaitReady(Duration.ofSeconds(1)))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.code()).contains("timeout");
              assertThat(e.getMessage()).contains("still STARTING", "e1");
            });
    assertThat(gateway.requests("GET", "/v1/management/engines/e1").size()).isGreaterThan(1);
  }

  @Test
  void stopRestartAndRemoveUseTheirRoutesAndQueries() {
    gateway.on("POST", "/v1/management/engines/e1/stop", json(200, engine("e1", "STOPPED", null)));
    gateway.on(
        "POST", "/v1/management/engines/e1/restart", json(200, engine("e1", "STARTING", null)));
    gateway.on(
        "DELETE",
        "/v1/management/engines/e1",
        (exchange, request) -> {
          exchange.sendResponseHeaders(204, -1);
        });

    assertThat(management.stop("e1", false).state()).isEqualTo(EngineState.STOPPED);
    management.stop("e1", Duration.ofSeconds(45));
    assertThat(management.restart("e1").state()).isEqualTo(EngineState.STARTING);
    management.remove("e1");

    List<FakeGateway.Recorded> stops = gateway.requests("POST", "/v1/management/engines/e1/stop");
    assertThat(stops.get(0).query()).isEqualTo("drain=false");
    assertThat(stops.get(1).query()).isEqualTo("drain=true&drain_timeout=45");
    assertThat(gateway.requests("DELETE", "/v1/management/engines/e1").get(0).query())
        .isEqualTo("purge=true");
  }

  @Test
  void aConflictCarriesTheGatewaysMessage() {
    gateway.on(
        "POST",
        "/v1/management/engines/e1/stop",
        error(409, "invalid_request_error", "illegal_transition", "engine e1 is STOPPED"));

    assertThatThrownBy(() -> management.stop("e1", true))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.errorMessage()).contains("STOPPED");
            });
  }

  @Test
  void registerSendsTheRemoteEngine() {
    gateway.on(
        "POST", "/v1/management/engines/register", json(201, engine("r1", "STARTING", null)));

    EngineInfo info = management.register("qwen", "http://10.0.0.5:8001", "llm", "remote-secret");

    assertThat(info.id()).isEqualTo("r1");
    JsonNode body = gateway.requests("POST", "/v1/management/engines/register").get(0).json();
    assertThat(body.get("model").asText()).isEqualTo("qwen");
    assertThat(body.get("base_url").asText()).isEqualTo("http://10.0.0.5:8001");
    assertThat(body.get("engine_kind").asText()).isEqualTo("llm");
    assertThat(body.get("api_key").asText()).isEqualTo("remote-secret");
    assertThat(new RemoteEngineSpec("q", "http://h", "llm", "remote-secret").toString())
        .doesNotContain("remote-secret");
  }

  @Test
  void eventsAndLogsAreRead() {
    gateway.on(
        "GET",
        "/v1/management/engines/e1/events",
        json(
            200,
            """
        {"engine_id":"e1","count":2,"events":[
          {"id":8,"engine_id":"e1","from":"STARTING","to":"ERROR","reason":"process exited with code 1","at":"2024-05-01T10:00:09Z"},
          {"id":3,"engine_id":"e1","from":null,"to":"STARTING","reason":"launched","at":"2024-05-01T10:00:00Z"}]}"""));
    gateway.on("GET", "/v1/management/engines/e1/logs", FakeGateway.text(200, "line 1\nline 2\n"));

    List<EngineEvent> events = management.events("e1");
    String logs = management.logs("e1", 2);

    assertThat(events).hasSize(2);
    assertThat(events.get(0).id()).isEqualTo(8L);
    assertThat(events.get(0).engineId()).isEqualTo("e1");
    assertThat(events.get(0).from()).isEqualTo(EngineState.STARTING);
    assertThat(events.get(0).to()).isEqualTo(EngineState.ERROR);
    assertThat(events.get(0).reason()).isEqualTo("process exited with code 1");
    assertThat(events.get(0).at()).isEqualTo(Instant.parse("2024-05-01T10:00:09Z"));
    assertThat(events.get(1).from()).isNull();
    assertThat(logs).isEqualTo("line 1\nline 2\n");
    assertThat(gateway.requests("GET", "/v1/management/engines/e1/logs").get(0).query())
        .isEqualTo("tail=2");
  }

  @Test
  void backendsGpuAndStatusAreJson() {
    gateway.on(
        "GET",
        "/v1/management/backends",
        json(200, "{\"llm_backends\":[{\"engine_id\":\"e1\"}],\"embedding_backends\":[]}"));
    gateway.on(
        "GET",
        "/v1/management/gpu",
        json(200, "{\"provider\":\"fake\",\"gpus\":[{\"index\":0,\"name\":\"Fake H100\"}]}"));
    gateway.on("GET", "/v1/management/status", json(200, "{\"version\":\"0.1.0\"}"));

    assertThat(management.backends().path("llm_backends").get(0).path("engine_id").asText())
        .isEqualTo("e1");
    assertThat(management.gpu().path("gpus").get(0).path("name").asText()).isEqualTo("Fake H100");
    assertThat(management.status().path("version").asText()).isEqualTo("0.1.0");
  }

  @Test
  void auditSendsTheFilterAndReadsEntries() {
    gateway.on(
        "GET",
        "/v1/management/audit",
        json(
            200,
            """
        {"entries":[{"id":17,"at":"2024-05-01T10:00:00Z","actor":"key-1","action":"engine.start",
          "target":"e1","outcome":"ok","detail":{"model":"m"}}],"count":1,"limit":10,"offset":20}"""));

    List<AuditEntry> entries =
        management.audit(
            AuditFilter.ALL
                .withLimit(10)
                .withOffset(20)
                .withAction("engine.start")
                .withActor("key 1"));

    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).id()).isEqualTo(17L);
    assertThat(entries.get(0).actor()).isEqualTo("key-1");
    assertThat(entries.get(0).action()).isEqualTo("engine.start");
    assertThat(entries.get(0).target()).isEqualTo("e1");
    assertThat(entries.get(0).outcome()).isEqualTo("ok");
    assertThat(entries.get(0).detail()).isEqualTo("{\"model\":\"m\"}");
    assertThat(entries.get(0).at()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(gateway.requests("GET", "/v1/management/audit").get(0).query())
        .isEqualTo("limit=10&offset=20&action=engine.start&actor=key+1");
  }

  @Test
  void rawReachesAnyRouteAndMapsErrors() {
    gateway.on(
        "GET", "/v1/management/plugins", json(200, "{\"plugins\":[{\"id\":\"engine-mock\"}]}"));
    gateway.on(
        "POST",
        "/v1/management/sessions",
        error(403, "permission_error", "admin_key_required", "an admin key is needed"));

    assertThat(
            management
                .raw("GET", "/v1/management/plugins", null)
                .path("plugins")
                .get(0)
                .path("id")
                .asText())
        .isEqualTo("engine-mock");
    assertThatThrownBy(
            () -> management.raw("POST", "/v1/management/sessions", java.util.Map.of("title", "t")))
        .isInstanceOfSatisfying(
            SageClientException.class,
            e -> {
              assertThat(e.status()).isEqualTo(403);
              assertThat(e.code()).contains("admin_key_required");
            });
    assertThat(
            gateway.requests("POST", "/v1/management/sessions").get(0).json().get("title").asText())
        .isEqualTo("t");
  }

  @Test
  void linesFollowAChunkedLogAsItIsWritten() {
    gateway.on(
        "GET",
        "/v1/management/engines/e1/logs",
        (exchange, request) -> {
          exchange.getResponseHeaders().set("Content-Type", "text/plain");
          exchange.sendResponseHeaders(200, 0);
          OutputStream out = exchange.getResponseBody();
          out.write("started\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
          out.write("ready\n".getBytes(StandardCharsets.UTF_8));
          out.close();
        });
    gateway.on(
        "GET",
        "/v1/management/engines/e2/logs",
        (exchange, request) -> {
          OutputStream out = FakeGateway.startEvents(exchange);
          FakeGateway.event(out, "log line a");
          FakeGateway.event(out, "log line b");
          out.close();
        });

    try (Stream<String> lines =
        management.lines(ManagementClient.enginePath("e1") + "/logs?follow=true")) {
      assertThat(lines.toList()).containsExactly("started", "ready");
    }
    try (Stream<String> lines =
        management.lines(ManagementClient.enginePath("e2") + "/logs?follow=true")) {
      assertThat(lines.toList()).containsExactly("log line a", "log line b");
    }
  }

  @Test
  void engineSpecValidatesItsFields() {
    assertThatThrownBy(() -> EngineSpec.builder(" ").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EngineSpec.builder("m").engineKind("vision").build())
        .hasMessageContaining("vision");
    assertThatThrownBy(() -> EngineSpec.builder("m").tensorParallelSize(0).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}

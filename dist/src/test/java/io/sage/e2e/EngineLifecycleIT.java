package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2: launching, listing, events, audit, stopping, and the 400/404/409 answers, all through
 * real HTTP.
 */
class EngineLifecycleIT {
  @TempDir static Path dataDir;
  static Gateway gateway;

  @BeforeAll
  static void start() {
    gateway = Gateway.start(dataDir);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).as("engine processes left after gateway stop").isZero();
  }

  @Test
  void mockEngineGoesReadyIsListedAndStopsWithItsProcessGone() {
    String id =
        gateway.startEngine(
            "{\"model\":\"lifecycle-model\",\"engine_kind\":\"llm\",\"runtime\":\"mock\"}");
    JsonNode starting = gateway.engine(id);
    assertThat(starting.get("state").asText()).isIn("STARTING", "READY");
    JsonNode ready = gateway.awaitState(id, "READY", Duration.ofSeconds(30));
    long pid = ready.get("pid").asLong();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    for (String field :
        List.of(
            "id",
            "model",
            "served_model_name",
            "engine_kind",
            "runtime",
            "state",
            "desired_state",
            "host",
            "port",
            "base_url",
            "pid",
            "gpu_ids",
            "tensor_parallel_size",
            "label",
            "options",
            "created_at",
            "updated_at",
            "state_since",
            "last_heartbeat_at",
            "consecutive_failures",
            "active_requests",
            "restart_count",
            "last_error")) {
      assertThat(ready.has(field)).as("EngineInfo has " + field).isTrue();
    }
    assertThat(ready.toString()).doesNotContain("sk-engine-");

    JsonNode list = gateway.get("/v1/management/engines").json();
    assertThat(list.get("count").asInt()).isGreaterThanOrEqualTo(1);
    List<String> ids = new ArrayList<>();
    list.get("engines").forEach(e -> ids.add(e.get("id").asText()));
    assertThat(ids).contains(id);

    JsonNode events = gateway.get("/v1/management/engines/" + id + "/events").json().get("events");
    assertThat(events.get(0).get("from").asText()).isEqualTo("STARTING");
    assertThat(events.get(0).get("to").asText()).isEqualTo("READY");
    assertThat(events.get(1).get("from").isNull()).isTrue();
    assertThat(events.get(1).get("to").asText()).isEqualTo("STARTING");
    assertThat(events.get(0).get("reason").asText()).isNotBlank();

    Http.Response stop = gateway.post("/v1/management/engines/" + id + "/stop?wait=true", "");
    assertThat(stop.status()).as(stop.body()).isEqualTo(200);
    assertThat(stop.json().get("state").asText()).isEqualTo("STOPPED");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        .as("engine process gone")
        .isFalse();
    JsonNode stopEvents =
        gateway.get("/v1/management/engines/" + id + "/events").json().get("events");
    assertThat(stopEvents.get(0).get("to").asText()).isEqualTo("STOPPED");
    assertThat(stopEvents.get(1).get("to").asText()).isEqualTo("DRAINING");

    JsonNode audit = gateway.get("/v1/management/audit?target=" + id).json().get("entries");
    List<String> actions = new ArrayList<>();
    audit.forEach(a -> actions.add(a.get("action").asText() + ":" + a.get("outcome").asText()));
    assertThat(actions).contains("engine.start:accepted", "engine.stop:accepted");
    // the harness acts with the gateway's bootstrap admin key, so the audit names that key
    assertThat(audit.get(0).get("actor").asText()).startsWith("key-");

    Http.Response again = gateway.post("/v1/management/engines/" + id + "/stop", "");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().at("/error/message").asText()).contains("STOPPED");

    Http.Response purge = gateway.delete("/v1/management/engines/" + id + "?purge=true");
    assertThat(purge.status()).as(purge.body()).isEqualTo(200);
    assertThat(gateway.get("/v1/management/engines/" + id).status()).isEqualTo(404);
    assertThat(gateway.get("/v1/management/engines/" + id + "/events").status()).isEqualTo(404);
  }

  @Test
  void badRequestsAnswerOpenAiShapedErrorsAndLaunchNothing() {
    int before = gateway.get("/v1/management/engines").json().get("count").asInt();
    expectError(gateway.post("/v1/management/engines", "{not json"), 400);
    expectError(gateway.post("/v1/management/engines", "[1,2]"), 400);
    expectError(gateway.post("/v1/management/engines", "{}"), 400);
    expectError(
        gateway.post("/v1/management/engines", "{\"model\":\"m\",\"runtime\":\"nope\"}"), 400);
    expectError(
        gateway.post("/v1/management/engines", "{\"model\":\"-rf\",\"runtime\":\"mock\"}"), 400);
    expectError(
        gateway.post(
            "/v1/management/engines", "{\"model\":\"m\",\"runtime\":\"mock\",\"port\":\"x\"}"),
        400);
    expectError(
        gateway.post(
            "/v1/management/engines",
            "{\"model\":\"m\",\"runtime\":\"mock\",\"options\":{\"no_such_option\":1}}"),
        400);
    expectError(
        gateway.post(
            "/v1/management/engines",
            "{\"model\":\"m\",\"engine_kind\":\"image\",\"runtime\":\"mock\"}"),
        400);
    expectError(
        gateway.post(
            "/v1/management/engines",
            "{\"model\":\"m\",\"runtime\":\"mock\",\"port\":" + gateway.port() + "}"),
        409);
    expectError(
        gateway.post(
            "/v1/management/engines/register",
            "{\"model\":\"r\",\"base_url\":\"file:///etc/passwd\"}"),
        400);
    expectError(gateway.get("/v1/management/engines/eng-000000000000"), 404);
    expectError(gateway.post("/v1/management/engines/eng-000000000000/stop", ""), 404);
    expectError(gateway.get("/v1/management/no-such-route"), 404);
    assertThat(gateway.get("/v1/management/engines").json().get("count").asInt()).isEqualTo(before);
    JsonNode audit =
        gateway.get("/v1/management/audit?action=engine.start&limit=50").json().get("entries");
    assertThat(audit.toString()).contains("\"outcome\":\"error\"");
  }

  @Test
  void statusAndPluginsDescribeTheGateway() {
    JsonNode status = gateway.get("/v1/management/status").json();
    assertThat(status.get("version").asText()).isNotBlank();
    assertThat(status.get("data_dir").asText()).isEqualTo(dataDir.toString());
    assertThat(status.get("runtimes").toString()).contains("mock");
    JsonNode plugins = gateway.get("/v1/management/plugins").json().get("plugins");
    assertThat(plugins.toString()).contains("engine-runtime:mock");
    assertThat(gateway.get("/health").status()).isEqualTo(200);
  }

  static void expectError(Http.Response response, int status) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    JsonNode error = response.json().get("error");
    assertThat(error).as(response.body()).isNotNull();
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.has("type")).isTrue();
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();
    assertThat(response.body()).doesNotContain("at io.").doesNotContain("Exception:");
  }
}

package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/spec.md §4: the registry survives kill -9 of the gateway, and running engines are adopted,
 * not relaunched.
 */
class GatewayRecoveryIT {
  @TempDir Path dataDir;
  Gateway gateway;

  @AfterEach
  void cleanUp() {
    if (gateway != null) {
      gateway.close();
    }
    assertThat(Leftovers.killAll(dataDir)).as("engine processes left behind").isZero();
  }

  @Test
  void killNineOfTheGatewayThenRestartAdoptsTheRunningEngine() {
    gateway = Gateway.start(dataDir);
    String id = gateway.startEngine("{\"model\":\"adopt-me\",\"runtime\":\"mock\"}");
    JsonNode ready = gateway.awaitState(id, "READY", Duration.ofSeconds(30));
    long pid = ready.get("pid").asLong();
    int events =
        gateway.get("/v1/management/engines/" + id + "/events").json().get("count").asInt();

    gateway.kill9();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .as("engine survives the gateway")
        .contains(true);

    gateway = gateway.restart();
    JsonNode adopted = gateway.awaitState(id, "READY", Duration.ofSeconds(30));
    assertThat(adopted.get("pid").asLong()).isEqualTo(pid);
    assertThat(adopted.get("restart_count").asInt()).isZero();
    // a health probe of the adopted engine has run since (its heartbeat moved): had adoption been
    // wrong, that probe would have failed or the engine been relaunched by now
    String heartbeat = adopted.path("last_heartbeat_at").asText("");
    gateway.awaitEngine(
        id,
        Duration.ofSeconds(20),
        e -> {
          String now = e.path("last_heartbeat_at").asText("");
          return !now.isEmpty() && !now.equals(heartbeat);
        });
    assertThat(gateway.get("/v1/management/engines/" + id + "/events").json().get("count").asInt())
        .as("no new transition: adopted without a relaunch")
        .isEqualTo(events);
    assertThat(gateway.get("/v1/management/engines/" + id + "/logs?tail=50").body())
        .contains("adopted running process");
    Http.Response chat =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"adopt-me\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(chat.status()).as(chat.body()).isEqualTo(200);
    assertThat(chat.header("x-sage-engine-id")).isEqualTo(id);
  }

  @Test
  void aGoneProcessIsRelaunchedWithTheReason() {
    gateway = Gateway.start(dataDir);
    String id = gateway.startEngine("{\"model\":\"relaunch-me\",\"runtime\":\"mock\"}");
    long pid = gateway.awaitState(id, "READY", Duration.ofSeconds(30)).get("pid").asLong();
    gateway.kill9();
    ProcessHandle.of(pid)
        .ifPresent(
            h -> {
              h.destroyForcibly();
              h.onExit().join();
            });

    gateway = gateway.restart();
    JsonNode ready =
        gateway.awaitEngine(
            id,
            Duration.ofSeconds(30),
            e -> "READY".equals(e.get("state").asText()) && e.get("pid").asLong() != pid);
    assertThat(ready.get("restart_count").asInt()).isEqualTo(1);
    assertThat(gateway.get("/v1/management/engines/" + id + "/events").body())
        .contains("gateway restarted; process gone");
  }

  @Test
  void stoppingTheGatewayStopsEnginesAndTheNextStartBringsThemBack() {
    gateway = Gateway.start(dataDir);
    String id = gateway.startEngine("{\"model\":\"comes-back\",\"runtime\":\"mock\"}");
    long pid = gateway.awaitState(id, "READY", Duration.ofSeconds(30)).get("pid").asLong();
    gateway.close();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        .as("engine stopped with the gateway")
        .isFalse();
    assertThat(Leftovers.processesUnder(dataDir)).isEmpty();

    gateway = gateway.restart();
    JsonNode back = gateway.awaitState(id, "READY", Duration.ofSeconds(30));
    assertThat(back.get("pid").asLong()).isNotEqualTo(pid);
  }

  @Test
  void keepEnginesLeavesThemRunningForAdoption() {
    gateway = Gateway.start(dataDir);
    String id = gateway.startEngine("{\"model\":\"kept\",\"runtime\":\"mock\"}");
    long pid = gateway.awaitState(id, "READY", Duration.ofSeconds(30)).get("pid").asLong();
    Sage.Result stop =
        Sage.run(
            java.util.Map.of(),
            "gateway",
            "stop",
            "--keep-engines",
            "--data-dir",
            dataDir.toString());
    assertThat(stop.exitCode()).as(stop.all()).isZero();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    gateway = gateway.restart();
    assertThat(gateway.awaitState(id, "READY", Duration.ofSeconds(30)).get("pid").asLong())
        .isEqualTo(pid);
  }
}

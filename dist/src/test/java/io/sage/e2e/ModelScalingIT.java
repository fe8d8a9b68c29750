package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Swap groups, replica scaling and rolling updates through the real gateway and real mock engines,
 * with zero failed requests.
 */
class ModelScalingIT {
  private static final Duration WAIT = Duration.ofSeconds(120);

  /**
   * Engines on ports of their own, away from the default range other gateways on this machine use:
   * a swapped-out engine restarts on its port, which another gateway's engine could take meanwhile.
   */
  static String ownPorts() {
    int first = Ports.free();
    return "engines:\n  port-range-start: " + first + "\n  port-range-end: " + (first + 40) + "\n";
  }

  /** Clients sending requests in a loop until stopped; every answer's status is kept. */
  static final class Load implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger ok = new AtomicInteger();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final List<Thread> threads = new ArrayList<>();

    Load(Gateway gateway, String model, int clients) {
      for (int i = 0; i < clients; i++) {
        Thread t =
            new Thread(
                () -> {
                  while (running.get()) {
                    HttpResponse<String> r = send(gateway, model);
                    if (r != null && r.statusCode() == 200) {
                      ok.incrementAndGet();
                    } else {
                      failures.add(r == null ? "no answer" : r.statusCode() + " " + r.body());
                    }
                  }
                });
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(120_000);
      }
    }
  }

  static HttpResponse<String> send(Gateway gateway, String model) {
    try {
      return Http.client()
          .send(
              Http.withKey(
                  HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                      .header("Content-Type", "application/json")
                      .timeout(Duration.ofSeconds(120))
                      .POST(HttpRequest.BodyPublishers.ofString(DeclaredModelsIT.chat(model)))
                      .build()),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Test
  void aGroupOfOneSwapsBetweenTwoModelsWithoutAFailedRequest(@TempDir Path dataDir)
      throws IOException {
    Files.writeString(
        dataDir.resolve("sage.yml"),
        ownPorts()
            + "models:\n"
            + "  left:\n    model: l\n    runtime: mock\n    on_demand: true\n    group: g\n"
            + "  right:\n    model: r\n    runtime: mock\n    on_demand: true\n    group: g\n"
            + "groups:\n  g:\n    max_loaded: 1\n");
    try (Gateway gateway = Gateway.start(dataDir)) {
      for (int i = 0; i < 3; i++) {
        for (String model : List.of("left", "right")) {
          HttpResponse<String> r = send(gateway, model);
          assertThat(r.statusCode()).as(model + ": " + r.body()).isEqualTo(200);
          String other = model.equals("left") ? "right" : "left";
          assertThat(DeclaredModelsIT.readyEngines(gateway, other)).isEmpty();
        }
      }
      assertThat(gateway.get("/v1/management/audit?limit=1").status()).isEqualTo(200);
      boolean swapped = false;
      for (var e : gateway.get("/v1/management/engines").json().path("engines")) {
        String events =
            gateway.get("/v1/management/engines/" + e.path("id").asText() + "/events").body();
        swapped |= events.contains("swapped out for");
      }
      assertThat(swapped).isTrue();
    } finally {
      assertThat(Leftovers.killAll(dataDir)).isZero();
    }
  }

  @Test
  void replicasScaleUpUnderLoadAndBackDown(@TempDir Path dataDir) throws Exception {
    Files.writeString(
        dataDir.resolve("sage.yml"),
        ownPorts()
            + "models:\n"
            + "  busy:\n    model: b\n    runtime: mock\n    replicas: {min: 1, max: 2}\n"
            + "    target_in_flight: 2\n    options: {latency_ms: 500}\n");
    try (Gateway gateway = Gateway.start(dataDir)) {
      DeclaredModelsIT.awaitModel(gateway, "busy", "running");
      try (Load load = new Load(gateway, "busy", 12)) {
        // one step each way (ReplicaScalerTest covers the steps' arithmetic): every step down
        // waits ReplicaScaler.DOWN_AFTER
        Await.until(
            "two READY replicas",
            WAIT,
            () -> DeclaredModelsIT.readyEngines(gateway, "busy").size() == 2);
        assertThat(load.failures).isEmpty();
      }
      Await.until(
          "back to one replica",
          WAIT,
          () -> DeclaredModelsIT.liveEngines(gateway, "busy").size() == 1);
      String events = "";
      for (var e : gateway.get("/v1/management/engines").json().path("engines")) {
        events += gateway.get("/v1/management/engines/" + e.path("id").asText() + "/events").body();
      }
      assertThat(events).contains("scale up to 2").contains("scale down to 1");
      assertThat(DeclaredModelsIT.liveEngines(gateway, "busy")).hasSize(1);
    } finally {
      assertThat(Leftovers.killAll(dataDir)).isZero();
    }
  }

  @Test
  void aRollingUpdateUnderLoadFailsNoRequestAndAFailedOneKeepsTheOldEngine(@TempDir Path dataDir)
      throws Exception {
    String base = ownPorts() + "models:\n  roll:\n    model: r\n    runtime: mock\n";
    Files.writeString(dataDir.resolve("sage.yml"), base + "    options: {latency_ms: 20}\n");
    try (Gateway gateway = Gateway.start(dataDir)) {
      DeclaredModelsIT.awaitModel(gateway, "roll", "running");
      String first = DeclaredModelsIT.readyEngines(gateway, "roll").get(0);
      try (Load load = new Load(gateway, "roll", 4)) {
        Files.writeString(dataDir.resolve("sage.yml"), base + "    options: {latency_ms: 21}\n");
        gateway.awaitState(first, "STOPPED", WAIT);
        int before = load.ok.get();
        Await.until("requests served by the new engine", WAIT, () -> load.ok.get() > before + 20);
        load.close();
        assertThat(load.failures).isEmpty();
      }
      String second = DeclaredModelsIT.readyEngines(gateway, "roll").get(0);
      assertThat(second).isNotEqualTo(first);

      // a new engine that never becomes READY: the roll-out stops, the old engine keeps serving
      Files.writeString(
          dataDir.resolve("sage.yml"),
          base
              + "    options: {startup_delay_s: 60, startup_timeout_s: 2, restart_policy: never}\n");
      Await.until(
          "the roll-out error",
          WAIT,
          () -> !gateway.get("/v1/management/models/roll").json().path("rollout_error").isNull());
      assertThat(gateway.get("/v1/management/models/roll").json().path("rollout_error").asText())
          .contains("startup timeout")
          .contains(second + " keeps serving");
      assertThat(gateway.engine(second).path("state").asText()).isEqualTo("READY");
      assertThat(send(gateway, "roll").statusCode()).isEqualTo(200);
    } finally {
      assertThat(Leftovers.killAll(dataDir)).isZero();
    }
  }
}

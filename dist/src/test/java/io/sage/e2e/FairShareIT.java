package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21: fair sharing of a saturated engine. One mock engine, which the gateway sends one
 * request at a time; key A queues 50 requests, then key B sends 5 while A's wait: B's are served in
 * turn with A's (round-robin across keys), not after them.
 */
class FairShareIT {
  private static final String MODEL = "fair-model";

  @TempDir static Path dataDir;
  static Gateway gateway;

  @BeforeAll
  static void start() {
    gateway =
        Gateway.start(
            dataDir,
            Map.of(
                "SAGE_HEALTH_INTERVAL", "500ms",
                "SAGE_FAIR_SHARE_ENGINE_CONCURRENCY", "1",
                "SAGE_ENGINES_PORT_RANGE_START", "48100",
                "SAGE_ENGINES_PORT_RANGE_END", "48999"));
    String id =
        gateway.startEngine(
            "{\"model\":\"" + MODEL + "\",\"runtime\":\"mock\",\"options\":{\"latency_ms\":400}}");
    gateway.awaitState(id, "READY", Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  record Finished(String key, int index, int status, long at) {}

  static String createKey(String name) {
    Http.Response created =
        gateway.post("/v1/management/keys", "{\"name\":\"" + name + "\",\"scope\":\"inference\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().get("key").asText();
  }

  static CompletableFuture<Void> send(
      String name, String secret, int index, ConcurrentLinkedQueue<Finished> done) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + secret)
            .timeout(Duration.ofSeconds(120))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\""
                        + MODEL
                        + "\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi "
                        + name
                        + index
                        + "\"}]}"))
            .build();
    return Http.client()
        .sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenAccept(
            response ->
                done.add(new Finished(name, index, response.statusCode(), System.nanoTime())));
  }

  static double waiting() {
    return ObservabilityIT.sum(
        ObservabilityIT.scrape(gateway), "sage_queue_waiting", "model", MODEL);
  }

  @Test
  void aKeySendingFiveIsServedInTurnWithAKeyQueueingFifty() {
    String a = createKey("fair-a");
    String b = createKey("fair-b");
    ConcurrentLinkedQueue<Finished> done = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(send("A", a, i, done));
    }
    // B sends once A's requests are queued at the gateway, waiting for the one engine
    Await.until(
        "46 of A's requests waiting at the gateway",
        Duration.ofSeconds(30),
        FairShareIT::waiting,
        queued -> queued >= 46);
    for (int i = 0; i < 5; i++) {
      all.add(send("B", b, i, done));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();

    List<Finished> order = new ArrayList<>(done);
    order.sort(Comparator.comparingLong(Finished::at));
    assertThat(order).hasSize(55).allMatch(f -> f.status() == 200);
    List<Finished> aDone = order.stream().filter(f -> f.key().equals("A")).toList();
    long lastB =
        order.stream().filter(f -> f.key().equals("B")).mapToLong(Finished::at).max().orElseThrow();
    // B's five all finished before the 11th of A's: A's last 40 came after every one of B's
    assertThat(lastB)
        .as("order of completion: %s", order.stream().map(f -> f.key() + f.index()).toList())
        .isLessThan(aDone.get(10).at());
    assertThat(waiting()).isZero();
  }
}

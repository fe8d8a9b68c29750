package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.testkit.postgres.ThrowawayPostgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real gateways on one real PostgreSQL route to each other's engines (docs/cluster.md): an
 * engine started through A is listed and served by B; kill -9 of A's gateway under load through B
 * fails no request and A's engines keep serving; keys created and revoked on A count on B; with
 * PostgreSQL stopped inference goes on, management writes answer 503, and everything catches up
 * when it is back. The periodic re-read is set to a minute, so what is seen within seconds came
 * through the database's announcements.
 */
class ClusterRoutingIT {
  private static final Duration READY = Duration.ofSeconds(60);
  private static final Duration NOTICE = Duration.ofSeconds(5);

  @TempDir Path root;
  private ThrowawayPostgres postgres;
  private final List<Gateway> gateways = new ArrayList<>();

  @BeforeEach
  void startPostgres() {
    postgres = ThrowawayPostgres.start();
  }

  @AfterEach
  void cleanUp() {
    postgres.restart(); // a test that failed with the database stopped: the gateways stop cleanly
    gateways.forEach(Gateway::close);
    for (String name : List.of("a", "b")) {
      assertThat(Leftovers.killAll(root.resolve(name))).as("engines left by " + name).isZero();
    }
    postgres.close();
  }

  private Map<String, String> environment(String url, String nodeId) {
    return Map.of(
        "SAGE_DB_URL",
        url,
        "SAGE_DB_USER",
        ThrowawayPostgres.USER,
        "SAGE_DB_PASSWORD",
        postgres.password(),
        "SAGE_NODE_ID",
        nodeId,
        "SAGE_NODE_HEARTBEAT_INTERVAL",
        "1s",
        "SAGE_NODE_REFRESH_INTERVAL",
        "60s");
  }

  /** Gateways a and b on a fresh database; b holds a's keys (docs/cluster.md). */
  private Gateway[] twoNodes(String database) throws Exception {
    String url = postgres.createDatabase(database);
    Path dirA = Files.createDirectories(root.resolve("a"));
    Path dirB = Files.createDirectories(root.resolve("b"));
    Gateway a = Gateway.start(dirA, environment(url, "node-a"));
    gateways.add(a);
    Files.copy(dirA.resolve("admin.key"), dirB.resolve("admin.key"));
    Files.copy(dirA.resolve("secret.key"), dirB.resolve("secret.key"));
    Gateway b = Gateway.start(dirB, environment(url, "node-b"));
    gateways.add(b);
    return new Gateway[] {a, b};
  }

  /**
   * A mock engine started through {@code on} on {@code node} (named: without a node the leader
   * places a start on the node with the fewest engines, which need not be {@code on}'s).
   */
  private static String startMock(Gateway on, String node, String model) {
    String id =
        on.startEngine(
            "{\"model\":\"" + model + "\",\"runtime\":\"mock\",\"node\":\"" + node + "\"}");
    on.awaitState(id, "READY", READY);
    return id;
  }

  /** The engine as {@code on} lists it, or null. */
  private static JsonNode listed(Gateway on, String id) {
    Http.Response list = on.get("/v1/management/engines");
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    for (JsonNode engine : list.json().get("engines")) {
      if (engine.get("id").asText().equals(id)) {
        return engine;
      }
    }
    return null;
  }

  private static JsonNode awaitListed(Gateway on, String id, String state) {
    return Await.until(
        id + " " + state + " as listed by " + on.url(),
        NOTICE,
        () -> listed(on, id),
        e -> e != null && state.equals(e.get("state").asText()));
  }

  private static Http.Response chat(Gateway via, String model, String key) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(via.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\""
                        + model
                        + "\",\"max_tokens\":3,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return Http.send(request);
  }

  private static boolean served(
      Gateway via,
      String model,
      String key,
      java.util.concurrent.atomic.AtomicReference<String> bad) {
    Http.Response r = chat(via, model, key);
    if (r.status() != 200) {
      bad.set(via.url() + " " + model + ": " + r.status() + " " + r.body());
      return false;
    }
    return true;
  }

  private static String tail(Gateway gateway) {
    List<String> lines = gateway.log().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  @Test
  void anEngineStartedThroughAIsServedByBAndKeepsServingWhenAsGatewayIsKilled() throws Exception {
    Gateway[] nodes = twoNodes("routing");
    Gateway a = nodes[0];
    Gateway b = nodes[1];
    String onlyA = startMock(a, "node-a", "only-on-a");
    String sharedA = startMock(a, "node-a", "shared");
    String sharedB = startMock(b, "node-b", "shared");

    JsonNode seen = awaitListed(b, onlyA, "READY");
    assertThat(seen.get("node_id").asText()).isEqualTo("node-a");
    assertThat(listed(b, sharedB).get("node_id").asText()).isEqualTo("node-b");
    assertThat(b.get("/v1/management/engines/" + onlyA).json().get("node_id").asText())
        .isEqualTo("node-a");
    assertThat(b.get("/v1/models").body()).contains("only-on-a");
    Http.Response served = chat(b, "only-on-a", null);
    assertThat(served.status()).as(served.body()).isEqualTo(200);
    assertThat(served.header("x-sage-engine-id")).isEqualTo(onlyA);
    Sage.Result cli =
        Sage.run(
            Map.of(), "llm", "engine", "list", "--gateway", b.url(), "--api-key", b.adminKey());
    assertThat(cli.exitCode()).as(cli.all()).isZero();
    assertThat(cli.stdout()).contains("NODE").contains("node-a").contains(onlyA);

    // a transition made on A is seen by B within seconds (the re-read is a minute away)
    Http.Response stopped = a.post("/v1/management/engines/" + onlyA + "/stop?wait=true", "");
    assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
    awaitListed(b, onlyA, "STOPPED");
    assertThat(chat(b, "only-on-a", null).status()).isIn(404, 503);
    Http.Response restarted = a.post("/v1/management/engines/" + onlyA + "/restart?wait=true", "");
    assertThat(restarted.status()).as(restarted.body()).isEqualTo(200);
    awaitListed(b, onlyA, "READY");

    // load through B on a model with an engine on each node; kill -9 of A's gateway meanwhile
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    Set<String> engines = ConcurrentHashMap.newKeySet();
    ExecutorService load = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      load.execute(
          () -> {
            while (running.get()) {
              try {
                Http.Response r = chat(b, "shared", null);
                if (r.status() == 200) {
                  ok.incrementAndGet();
                  engines.add(r.header("x-sage-engine-id"));
                } else {
                  failures.add(r.status() + " " + r.body());
                }
              } catch (RuntimeException e) {
                failures.add(e.toString());
              }
            }
          });
    }
    Await.until("load on both engines", READY, () -> engines.size() == 2 && ok.get() > 50);
    long pidOnlyA = a.engine(onlyA).get("pid").asLong();
    a.kill9();
    int atKill = ok.get();
    Await.until("200 more requests after the kill", READY, () -> ok.get() > atKill + 200);
    engines.clear();
    Await.until("both engines still used", READY, () -> engines.size() == 2);
    running.set(false);
    load.shutdown();
    assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    assertThat(failures).as("failed requests through B").isEmpty();
    assertThat(engines).containsExactlyInAnyOrder(sharedA, sharedB);
    Http.Response afterKill = chat(b, "only-on-a", null);
    assertThat(afterKill.status()).as(afterKill.body()).isEqualTo(200);
    assertThat(afterKill.header("x-sage-engine-id")).isEqualTo(onlyA);

    // A's gateway back on its data dir adopts its engines, which never stopped
    Gateway again = a.restart();
    gateways.add(again);
    assertThat(again.awaitState(onlyA, "READY", READY).get("pid").asLong()).isEqualTo(pidOnlyA);
  }

  @Test
  void keysAndTheDatabaseGoingAwayAndComingBack() throws Exception {
    Gateway[] nodes = twoNodes("outage");
    Gateway a = nodes[0];
    Gateway b = nodes[1];
    String onA = startMock(a, "node-a", "model-a");
    String onB = startMock(b, "node-b", "model-b");
    awaitListed(b, onA, "READY");

    // (the first request a gateway proxies pays for its warm-up: not part of what is measured)
    assertThat(chat(b, "model-a", null).status()).isEqualTo(200);
    assertThat(chat(a, "model-b", null).status()).isEqualTo(200);
    // a key created on A lets requests in on B, and once revoked on A is refused there
    Http.Response created =
        a.post("/v1/management/keys", "{\"name\":\"ci\",\"scope\":\"inference\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String key = created.json().get("key").asText();
    String keyId = created.json().get("id").asText();
    long since = System.nanoTime();
    Await.until("A's new key accepted by B", NOTICE, () -> chat(b, "model-a", key).status() == 200);
    System.out.printf(
        "key created on A accepted by B after %d ms%n", (System.nanoTime() - since) / 1_000_000);
    assertThat(a.delete("/v1/management/keys/" + keyId).status()).isEqualTo(200);
    since = System.nanoTime();
    Await.until(
        "A's revoked key refused by B", NOTICE, () -> chat(b, "model-a", key).status() == 401);
    System.out.printf(
        "key revoked on A refused by B after %d ms%n", (System.nanoTime() - since) / 1_000_000);
    Http.Response second =
        a.post("/v1/management/keys", "{\"name\":\"during\",\"scope\":\"inference\"}");
    String inference = second.json().get("key").asText();
    Await.until("the second key on B", NOTICE, () -> chat(b, "model-b", inference).status() == 200);

    postgres.stop();
    // management writes answer 503 with the reason; reads and inference go on from memory
    for (Gateway on : List.of(a, b)) {
      Http.Response write =
          on.post("/v1/management/keys", "{\"name\":\"nope\",\"scope\":\"inference\"}");
      assertThat(write.status()).as(write.body()).isEqualTo(503);
      assertThat(write.json().get("error").get("message").asText())
          .startsWith("the database is unreachable: ");
      assertThat(write.body()).doesNotContain("\tat ").doesNotContain("Exception:");
      Http.Response start =
          on.post("/v1/management/engines", "{\"model\":\"x\",\"runtime\":\"mock\"}");
      assertThat(start.status()).as(start.body()).isEqualTo(503);
      assertThat(listed(on, onA)).isNotNull();
    }
    java.util.concurrent.atomic.AtomicReference<String> bad =
        new java.util.concurrent.atomic.AtomicReference<>();
    try {
      // 5 s here: ClusterIT holds the 20 s outage on three hosts
      Await.during(
          "inference through both nodes to both engines while PostgreSQL is stopped",
          Duration.ofSeconds(5),
          () ->
              served(b, "model-a", inference, bad)
                  && served(b, "model-b", inference, bad)
                  && served(a, "model-b", inference, bad));
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + ": " + bad.get() + "\nlog of A:\n" + tail(a) + "\nlog of B:\n" + tail(b),
          e);
    }

    postgres.restart();
    Http.Response after =
        Await.until(
            "a management write once PostgreSQL is back",
            READY,
            () -> b.post("/v1/management/keys", "{\"name\":\"back\",\"scope\":\"inference\"}"),
            r -> r.status() == 201);
    String back = after.json().get("key").asText();
    Await.until("B's new key on A", NOTICE, () -> chat(a, "model-a", back).status() == 200);
    Http.Response stop = a.post("/v1/management/engines/" + onA + "/stop?wait=true", "");
    assertThat(stop.status()).as(stop.body()).isEqualTo(200);
    awaitListed(b, onA, "STOPPED");
    assertThat(listed(a, onB).get("state").asText()).isEqualTo("READY");
    assertThat(chat(a, "model-b", back).status()).isEqualTo(200);
  }
}

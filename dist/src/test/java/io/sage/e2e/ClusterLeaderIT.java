package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.testkit.postgres.ThrowawayPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, part B, with real gateways on one real PostgreSQL, on loopback ports, and real engines
 * (the mock runtime, and the vllm runtime through a stand-in on fake GPUs): one leader elected
 * through the database that steps down after a pause and leads again with a higher token; a lost
 * node's engines probed by the leader and adopted again when the node returns; declared models
 * applied by the leader to the whole cluster (one engine for {@code replicas: 1} on three nodes,
 * on-demand loads once for the cluster, idle unload counting every node's requests), and a gone
 * node's engine failed with "node <id> lost" and its declared replica started elsewhere. The
 * leader's move within 10 s of a {@code kill -9}, placement by GPU room and management of another
 * node's engine are in {@link ClusterIT}, on three hosts.
 */
class ClusterLeaderIT {
  private static ThrowawayPostgres postgres;
  @TempDir Path root;
  private final List<Gateway> gateways = new ArrayList<>();
  private final List<Long> enginePids = new ArrayList<>();

  @BeforeAll
  static void startPostgres() {
    postgres = ThrowawayPostgres.start();
  }

  @AfterAll
  static void removePostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @AfterEach
  void cleanUp() {
    gateways.forEach(Gateway::close);
    enginePids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    try (var dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        assertThat(Leftovers.killAll(dir)).as("engines left in " + dir).isZero();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Map<String, String> environment(String url, String node, Map<String, String> more) {
    Map<String, String> env = new HashMap<>();
    env.put("SAGE_DB_URL", url);
    env.put("SAGE_DB_USER", ThrowawayPostgres.USER);
    env.put("SAGE_DB_PASSWORD", postgres.password());
    env.put("SAGE_NODE_ID", node);
    env.put("SAGE_NODE_HEARTBEAT_INTERVAL", "1s");
    env.put("SAGE_NODE_LOST_AFTER", "4s");
    env.put("SAGE_HEALTH_INTERVAL", "500ms");
    env.put("SAGE_STOP_GRACE_PERIOD", "2s");
    env.putAll(more);
    return env;
  }

  /** The first node of a database; the others get its keys (docs/cluster.md). */
  private Gateway first(String url, String node, Map<String, String> more) throws IOException {
    Path dir = Files.createDirectories(root.resolve(node));
    Gateway gateway = Gateway.start(dir, environment(url, node, more));
    gateways.add(gateway);
    return gateway;
  }

  private Gateway join(Gateway first, String url, String node, Map<String, String> more)
      throws IOException {
    Path dir = Files.createDirectories(root.resolve(node));
    Files.copy(first.dataDir().resolve("admin.key"), dir.resolve("admin.key"));
    Files.copy(first.dataDir().resolve("secret.key"), dir.resolve("secret.key"));
    Gateway gateway = Gateway.start(dir, environment(url, node, more));
    synchronized (gateways) {
      gateways.add(gateway);
    }
    return gateway;
  }

  private CompletableFuture<Gateway> joinLater(
      Gateway first, String url, String node, Map<String, String> more) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return join(first, url, node, more);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  private static JsonNode nodes(Gateway on) {
    Http.Response response = on.get("/v1/management/nodes");
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.json();
  }

  private static String leaderSeenBy(Gateway on) {
    JsonNode leader = nodes(on).get("leader");
    return leader == null || leader.isNull() ? "" : leader.asText();
  }

  private static JsonNode awaitLeader(Gateway on, Duration within, String... anyOf) {
    return Await.until(
        "a leader among " + List.of(anyOf) + " as seen from " + on.url(),
        within,
        () -> nodes(on),
        n -> List.of(anyOf).contains(n.path("leader").asText()));
  }

  @Test
  void aLeaderPausedPastItsLeaseStepsDownAndAnotherLeadsWithAHigherToken() throws Exception {
    String url = postgres.createDatabase("paused_leader");
    Gateway a = first(url, "node-a", Map.of());
    Gateway b = join(a, url, "node-b", Map.of());
    long token = awaitLeader(b, Duration.ofSeconds(30), "node-a").get("leader_token").asLong();

    signal("STOP", a.pid());
    try {
      JsonNode taken = awaitLeader(b, Duration.ofSeconds(15), "node-b");
      assertThat(taken.get("leader_token").asLong()).isGreaterThan(token);
    } finally {
      signal("CONT", a.pid());
    }

    // a comes back, finds its lease gone and leads no more; both agree on b
    Await.until(
        "node-a to say it is no longer the leader",
        Duration.ofSeconds(15),
        () -> a.log().contains("node node-a is no longer the leader (token " + token + ")"));
    Await.until(
        "node-a to see node-b lead",
        Duration.ofSeconds(15),
        () -> "node-b".equals(leaderSeenBy(a)));
    assertThat(leaderSeenBy(b)).isEqualTo("node-b");
  }

  @Test
  void aLostNodesEnginesAreProbedByTheLeaderAndAdoptedWhenItReturns() throws Exception {
    String url = postgres.createDatabase("lost_node");
    // gone-after longer than a restart of b takes on a loaded machine (it must not count as gone)
    Map<String, String> goneAfter = Map.of("SAGE_NODE_GONE_AFTER", "120s");
    Gateway a = first(url, "node-a", goneAfter);
    Gateway b = join(a, url, "node-b", goneAfter);
    awaitLeader(b, Duration.ofSeconds(30), "node-a");
    String dies = b.startEngine("{\"model\":\"dies\",\"runtime\":\"mock\",\"node\":\"node-b\"}");
    String lives = b.startEngine("{\"model\":\"lives\",\"runtime\":\"mock\",\"node\":\"node-b\"}");
    long diesPid = b.awaitState(dies, "READY", Duration.ofSeconds(60)).get("pid").asLong();
    long livesPid = b.awaitState(lives, "READY", Duration.ofSeconds(60)).get("pid").asLong();
    enginePids.add(livesPid);

    // b's gateway dies; its engines keep running; the leader probes them while b is lost
    b.kill9();
    Await.until(
        "node-b lost",
        Duration.ofSeconds(30),
        () -> nodes(a).toString().contains("\"state\":\"lost\""));
    ProcessHandle.of(diesPid).ifPresent(ProcessHandle::destroyForcibly);
    JsonNode failed =
        Await.until(
            "the leader to fail the engine that stopped answering",
            Duration.ofSeconds(30),
            () -> Http.get(a.url() + "/v1/management/engines/" + dies + "/events").json(),
            e -> e.toString().contains("stopped answering while its node node-b is lost"));
    assertThat(failed.toString()).contains("leader node-a");
    assertThat(ProcessHandle.of(livesPid).map(ProcessHandle::isAlive).orElse(false)).isTrue();

    // b comes back: the engine that kept answering is adopted, same pid, still READY
    Gateway again = b.restart();
    gateways.add(again);
    JsonNode adopted = again.awaitState(lives, "READY", Duration.ofSeconds(60));
    assertThat(adopted.get("pid").asLong()).isEqualTo(livesPid);
  }

  private static final String DECLARED =
      "models:\n"
          + "  solo:\n"
          + "    model: solo\n"
          + "    runtime: mock\n"
          + "    replicas: 1\n"
          + "    aliases: [one]\n"
          + "  lazy:\n"
          + "    model: lazy\n"
          + "    runtime: mock\n"
          + "    on_demand: true\n"
          + "    idle_timeout: 4s\n";

  /**
   * The engines of the cluster serving {@code model} that are meant to run, as {@code on} lists.
   */
  private static List<JsonNode> live(Gateway on, String model) {
    Http.Response response = on.get("/v1/management/engines");
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode engine : response.json().get("engines")) {
      String state = engine.get("state").asText();
      if (engine.get("served_model_name").asText().equals(model)
          && (state.equals("STARTING") || state.equals("READY") || state.equals("DRAINING"))) {
        out.add(engine);
      }
    }
    return out;
  }

  private static Http.Response chat(Gateway through, String model) {
    return through.post(
        "/v1/chat/completions",
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  private void withModels(String node) throws IOException {
    Path dir = Files.createDirectories(root.resolve(node));
    Files.writeString(dir.resolve("sage.yml"), DECLARED);
  }

  @Test
  void declaredModelsRunOnceInTheClusterOnDemandAndIdleClusterWideAndAGoneNodesAreStartedElsewhere()
      throws Exception {
    String url = postgres.createDatabase("declared");
    // a short gone-after, so a node gone for good is declared so within seconds
    Map<String, String> quick = Map.of("SAGE_NODE_GONE_AFTER", "8s");
    for (String node : List.of("node-a", "node-b", "node-c")) {
      withModels(node);
    }
    Gateway a = first(url, "node-a", quick);
    // b and c start together (each gateway's start is mostly its own JVM's)
    CompletableFuture<Gateway> joining = joinLater(a, url, "node-c", quick);
    Gateway b = join(a, url, "node-b", quick);
    Gateway c = joining.get(120, java.util.concurrent.TimeUnit.SECONDS);
    awaitLeader(c, Duration.ofSeconds(30), "node-a");
    Await.until(
        "one READY engine of solo",
        Duration.ofSeconds(60),
        () -> live(c, "solo"),
        l -> l.size() == 1 && l.get(0).get("state").asText().equals("READY"));

    // the same file on three nodes: one engine for the cluster, served through every node
    Await.during(
        "exactly one engine of solo in the cluster",
        Duration.ofSeconds(3),
        () -> live(a, "solo").size() == 1 && live(b, "solo").size() == 1);
    JsonNode soloEngine = live(b, "solo").get(0);
    assertThat(soloEngine.get("node_id").asText()).isEqualTo("node-a");
    for (Gateway through : List.of(a, b, c)) {
      Http.Response answer = chat(through, "one");
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    // declared through node c's API: the leader (a) starts one engine, placed by its placement
    Http.Response put =
        Http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(c.url() + "/v1/management/models/api-model"))
                .header("Content-Type", "application/json")
                .PUT(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"api-model\",\"runtime\":\"mock\",\"replicas\":1}")));
    assertThat(put.status()).as(put.body()).isEqualTo(201);
    Await.until(
        "one READY engine of api-model",
        Duration.ofSeconds(60),
        () -> live(a, "api-model"),
        l -> l.size() == 1 && l.get(0).get("state").asText().equals("READY"));

    // on demand: a request through a follower waits while the leader launches one engine
    Http.Response cold = chat(c, "lazy");
    assertThat(cold.status()).as(cold.body()).isEqualTo(200);
    assertThat(chat(b, "lazy").status()).isEqualTo(200);
    assertThat(live(a, "lazy")).hasSize(1);
    String lazy = live(a, "lazy").get(0).get("id").asText();
    // idle unload counts every node's requests: b keeps asking, so it stays up past 4 s
    Await.during(
        "lazy served through b by the same engine, never unloaded while b asks",
        Duration.ofSeconds(7),
        () ->
            chat(b, "lazy").status() == 200
                && live(a, "lazy").stream()
                    .map(e -> e.get("id").asText())
                    .toList()
                    .equals(List.of(lazy)));
    // nobody asks any more: it is unloaded once the idle timeout passed on every node
    JsonNode idle =
        Await.until(
            "lazy unloaded as idle",
            Duration.ofSeconds(30),
            () -> Http.get(a.url() + "/v1/management/engines/" + lazy + "/events").json(),
            e -> e.toString().contains("idle for 4s") && e.toString().contains("STOPPED"));
    Await.until(
        "node-b to see lazy unloaded", Duration.ofSeconds(10), () -> live(b, "lazy").isEmpty());

    // node a dies for good (its gateway; its engine runs on, unreachable for its node): once it
    // is gone its engine is ERROR "node node-a lost" and a new replica serves from b or c
    String first = soloEngine.get("id").asText();
    a.kill9();
    JsonNode lost =
        Await.until(
            "node-a's solo engine failed as lost",
            Duration.ofSeconds(60),
            () -> Http.get(b.url() + "/v1/management/engines/" + first + "/events").json(),
            e -> e.toString().contains("node node-a lost"));
    assertThat(lost.toString()).contains("ERROR");
    JsonNode replacement =
        Await.until(
                "a new READY engine of solo on node-b or node-c",
                Duration.ofSeconds(60),
                () -> live(b, "solo"),
                l ->
                    l.size() == 1
                        && l.get(0).get("state").asText().equals("READY")
                        && !l.get(0).get("id").asText().equals(first))
            .get(0);
    assertThat(replacement.get("id").asText()).isNotEqualTo(first);
    assertThat(replacement.get("node_id").asText()).isIn("node-b", "node-c");
    for (Gateway through : List.of(b, c)) {
      Http.Response answer = chat(through, "one");
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }
    Await.during(
        "still exactly one engine of solo",
        Duration.ofSeconds(2),
        () -> live(b, "solo").size() == 1 && live(c, "solo").size() == 1);
    // node-a is gone for good: what it left running is the operator's (here: the test's) to end
    Leftovers.killAll(a.dataDir());
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
  }
}

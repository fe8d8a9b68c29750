package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.testkit.postgres.ThrowawayPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22's "Done when": three real gateways on three test hosts (network namespaces made by
 * {@link NetnsHosts}, each gateway and its mock engines bound to its own address) on one real
 * PostgreSQL that listens on the hosts' network. Every test starts the three gateways on a fresh
 * database, as docs/cluster.md says to run a cluster (same {@code secret.key} and {@code admin.key}
 * copied in before the first start, {@code node.address} set).
 */
class ClusterIT {
  static final int PORT = 8000; // every host has its own ports
  static final Duration READY = Duration.ofSeconds(60);
  static final Duration LEARNED = Duration.ofSeconds(15);
  static final String ENGINE_HEADER = "x-sage-engine-id";
  static final Map<String, String> ALL_UP = Map.of("node-a", "up", "node-b", "up", "node-c", "up");

  private static NetnsHosts hosts;
  private static ThrowawayPostgres postgres;
  @TempDir Path root;
  private String databaseUrl;
  private Path tools;
  private final Map<String, Gateway> gateways = new LinkedHashMap<>();

  @BeforeAll
  static void makeHostsAndDatabase() {
    hosts = NetnsHosts.create("a", "b", "c");
    try {
      postgres = ThrowawayPostgres.start(hosts.bridgeAddress(), hosts.network());
    } catch (RuntimeException e) {
      hosts.close();
      throw e;
    }
  }

  @AfterAll
  static void removeHostsAndDatabase() {
    try {
      if (postgres != null) {
        postgres.close();
      }
    } finally {
      if (hosts != null) {
        hosts.close();
      }
    }
  }

  @BeforeEach
  void startThreeGateways() throws Exception {
    if (!postgres.running()) {
      postgres.restart(); // a failed test may have left it stopped
    }
    databaseUrl = postgres.createDatabase();
    tools = Files.createDirectories(root.resolve("tools"));
    writeFakeGpus(tools);
    writeVllmStandIn(tools);
    Gateway a = start("a");
    for (String name : List.of("b", "c")) {
      Path dir = Files.createDirectories(root.resolve(name));
      Files.copy(a.dataDir().resolve("secret.key"), dir.resolve("secret.key"));
      Files.copy(a.dataDir().resolve("admin.key"), dir.resolve("admin.key"));
    }
    // b and c start at the same time (a JVM start is mostly waiting on one core); a first, since
    // it makes the keys the others share
    CompletableFuture<Gateway> b = CompletableFuture.supplyAsync(() -> startUnchecked("b"));
    try {
      gateways.put("c", startUnchecked("c"));
    } finally {
      gateways.put("b", b.join()); // each one that started is stopped after, also on failure
    }
  }

  private Gateway startUnchecked(String name) {
    try {
      NetnsHosts.Host host = hosts.host(name);
      Path dir = Files.createDirectories(root.resolve(name));
      return Gateway.startOn(
          host.exec(), host.address(), PORT, dir, environment(host), new String[0]);
    } catch (Exception e) {
      throw new IllegalStateException("gateway " + name + " did not start: " + e.getMessage(), e);
    }
  }

  @AfterEach
  void stopEverything() {
    List<String> left = new ArrayList<>();
    for (Map.Entry<String, Gateway> gateway : gateways.entrySet()) {
      gateway.getValue().close();
      int engines = Leftovers.killAll(gateway.getValue().dataDir());
      if (engines > 0) {
        String log = gateway.getValue().log();
        left.add(
            engines
                + " engine process(es) of node "
                + gateway.getKey()
                + "; its log ends:\n"
                + log.substring(Math.max(0, log.length() - 6000)));
      }
    }
    gateways.clear();
    for (NetnsHosts.Host host : hosts.hosts()) {
      int processes = hosts.killAllOn(host);
      if (processes > 0) {
        left.add(processes + " process(es) on host " + host.name());
      }
    }
    assertThat(left).as("left behind after the gateways stopped").isEmpty();
  }

  Map<String, String> environment(NetnsHosts.Host host) {
    Map<String, String> env = new HashMap<>();
    env.put("SAGE_DB_URL", databaseUrl);
    env.put("SAGE_DB_USER", ThrowawayPostgres.USER);
    env.put("SAGE_DB_PASSWORD", postgres.password());
    env.put("SAGE_NODE_ID", "node-" + host.name());
    env.put("SAGE_NODE_ADDRESS", "http://" + host.address() + ":" + PORT);
    env.put("SAGE_NODE_HEARTBEAT_INTERVAL", "1s");
    env.put("SAGE_NODE_LOST_AFTER", "4s");
    env.put("SAGE_ENGINES_HOST", host.address());
    env.put("SAGE_HEALTH_INTERVAL", "500ms");
    env.put("SAGE_STOP_GRACE_PERIOD", "2s");
    env.put("SAGE_GPU_FAKE", tools.resolve(host.name() + "-gpus.json").toString());
    env.put("SAGE_VLLM_COMMAND", tools.resolve("vllm").toString());
    return env;
  }

  /** One fake GPU per host: a 16 GiB one on a, 80 GiB ones on b and c. */
  static void writeFakeGpus(Path tools) throws IOException {
    for (NetnsHosts.Host host : hosts.hosts()) {
      Files.writeString(
          tools.resolve(host.name() + "-gpus.json"),
          "[{\"index\": 0, \"name\": \"Fake H100\", \"uuid\": \"GPU-"
              + host.name()
              + "\", \"memory_total_mib\": "
              + (host.name().equals("a") ? 16384 : 81920)
              + ", \"memory_used_mib\": 0, \"utilization_pct\": 0}]");
    }
  }

  /**
   * A stand-in {@code vllm} that execs the mock engine on the address, port and name vllm was given
   * (the vllm runtime's placement on fake GPUs, with a real process bound to its host).
   */
  static void writeVllmStandIn(Path tools) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path mockJar = Sage.pluginsDir().resolve("sage-engine-mock.jar");
    String script =
        "#!/bin/bash\n"
            + "host=''; port=''; name=''\n"
            + "while [ $# -gt 0 ]; do\n"
            + "  case \"$1\" in\n"
            + "    --host) host=\"$2\"; shift ;;\n"
            + "    --port) port=\"$2\"; shift ;;\n"
            + "    --served-model-name) name=\"$2\"; shift ;;\n"
            + "  esac\n"
            + "  shift\n"
            + "done\n"
            + "SAGE_ENGINE_API_KEY=\"$VLLM_API_KEY\" exec '"
            + java
            + "' -cp '"
            + mockJar
            + "' io.sage.engine.mock.MockEngineMain --host \"$host\" --port \"$port\" --model"
            + " \"$name\" --kind llm\n";
    Path standIn = tools.resolve("vllm");
    Files.writeString(standIn, script);
    Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  Gateway start(String name) throws Exception {
    NetnsHosts.Host host = hosts.host(name);
    Path dir = Files.createDirectories(root.resolve(name));
    Gateway gateway =
        Gateway.startOn(host.exec(), host.address(), PORT, dir, environment(host), new String[0]);
    gateways.put(name, gateway);
    return gateway;
  }

  Gateway node(String name) {
    return gateways.get(name);
  }

  static JsonNode nodes(Gateway on) {
    Http.Response response = on.get("/v1/management/nodes");
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.json();
  }

  static Map<String, String> nodeStates(Gateway on) {
    Map<String, String> states = new HashMap<>();
    for (JsonNode node : nodes(on).get("nodes")) {
      states.put(node.get("id").asText(), node.get("state").asText());
    }
    return states;
  }

  /** A mock engine serving {@code model}, launched by node {@code node}. */
  static String mockEngine(String model, String node) {
    return "{\"model\":\""
        + model
        + "\",\"runtime\":\"mock\",\"served_model_name\":\""
        + model
        + "\",\"node\":\"node-"
        + node
        + "\"}";
  }

  /** A vllm engine (the stand-in) asking 60 GB of GPU memory; {@code node} null: placed. */
  static String vllm60g(String name, String node) {
    return "{\"model\":\"Qwen/Qwen2.5-7B-Instruct\",\"runtime\":\"vllm\",\"served_model_name\":\""
        + name
        + "\",\"options\":{\"gpu_memory_gb\":\"60\"}"
        + (node == null ? "" : ",\"node\":\"node-" + node + "\"")
        + "}";
  }

  static String leaderSeenBy(Gateway on) {
    JsonNode leader = nodes(on).get("leader");
    return leader == null || leader.isNull() ? "" : leader.asText();
  }

  /** Engine ids (with their state) that {@code on} lists. */
  static Map<String, String> engineStates(Gateway on) {
    Http.Response response = on.get("/v1/management/engines");
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    Map<String, String> states = new HashMap<>();
    for (JsonNode engine : response.json().get("engines")) {
      states.put(engine.get("id").asText(), engine.get("state").asText());
    }
    return states;
  }

  static Http.Response chat(Gateway through, String model) {
    return through.post(
        "/v1/chat/completions",
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  @Test
  void threeGatewaysOnThreeHostsListEachOtherAndServeAnEngineStartedThroughAOnBAndC() {
    for (Map.Entry<String, Gateway> on : gateways.entrySet()) {
      Await.until(
          "all three nodes up as seen from node " + on.getKey(),
          LEARNED,
          () -> nodeStates(on.getValue()),
          s -> s.equals(Map.of("node-a", "up", "node-b", "up", "node-c", "up")));
      JsonNode list = nodes(on.getValue());
      assertThat(list.get("self").asText()).isEqualTo("node-" + on.getKey());
      for (JsonNode node : list.get("nodes")) {
        String name = node.get("id").asText().substring("node-".length());
        assertThat(node.get("address").asText())
            .isEqualTo("http://" + hosts.host(name).address() + ":" + PORT);
      }
    }
    for (NetnsHosts.Host host : hosts.hosts()) {
      assertThat(hosts.processesOn(host))
          .as("node " + host.name() + "'s gateway runs on its own host")
          .contains(node(host.name()).pid());
    }
    // an engine launched by node a runs on host a, bound to its address
    Gateway a = node("a");
    String id = a.startEngine(mockEngine("on-a", "a"));
    JsonNode ready = a.awaitState(id, "READY", READY);
    assertThat(ready.get("host").asText()).isEqualTo(hosts.host("a").address());
    assertThat(hosts.processesOn(hosts.host("a"))).contains(ready.get("pid").asLong());
    Http.Response served = chat(a, "on-a");
    assertThat(served.status()).as(served.body()).isEqualTo(200);
    assertThat(served.header(ENGINE_HEADER)).isEqualTo(id);
    // an engine started through A is listed and served by B and C
    for (String name : List.of("b", "c")) {
      Gateway other = node(name);
      Await.until(
          "node " + name + " to list engine " + id + " READY",
          LEARNED,
          () -> engineStates(other),
          s -> "READY".equals(s.get(id)));
      Http.Response through = chat(other, "on-a");
      assertThat(through.status())
          .as("through node " + name + ": " + through.body())
          .isEqualTo(200);
      assertThat(through.header(ENGINE_HEADER)).isEqualTo(id);
    }
  }

  @Test
  void killNineOfAGatewayUnderLoadFailsNoRequestAndItsEnginesAreAdoptedWithTheSamePids()
      throws Exception {
    Gateway a = node("a");
    String onA = a.startEngine(mockEngine("shared", "a"));
    String onB = node("b").startEngine(mockEngine("shared", "b"));
    long pid = a.awaitState(onA, "READY", READY).get("pid").asLong();
    node("b").awaitState(onB, "READY", READY);
    awaitSameEnginesEverywhere(Set.of(onA, onB));
    Map<String, String> urls = new HashMap<>();
    gateways.forEach((name, gateway) -> urls.put(name, gateway.url()));

    ClusterLoad load = new ClusterLoad(urls, "shared", 3);
    try {
      Await.until(
          "requests through every node served by both engines",
          Duration.ofSeconds(30),
          () ->
              List.of("a", "b", "c").stream()
                      .allMatch(n -> load.count(o -> o.node().equals(n) && !o.failed()) >= 5)
                  && load.count(o -> onA.equals(o.engine())) >= 5
                  && load.count(o -> onB.equals(o.engine())) >= 5);
      load.nodeGoingDown("a");
      load.phase(1);
      a.kill9();
      Await.until(
          "node a's engine serving through b and c after its gateway's kill -9",
          Duration.ofSeconds(30),
          () -> load.count(o -> o.phase() == 1 && onA.equals(o.engine())) >= 20);
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
      assertThat(engineStates(node("b")).get(onA))
          .as("a's engine still READY while its gateway is dead")
          .isEqualTo("READY");
      Await.until(
          "node-a lost as seen from node b",
          Duration.ofSeconds(30),
          () -> nodeStates(node("b")),
          s -> "lost".equals(s.get("node-a")));
      assertThat(load.count(o -> o.phase() == 1 && o.failed())).isZero();

      Gateway again = a.restart();
      gateways.put("a", again);
      JsonNode adopted = again.awaitState(onA, "READY", READY);
      assertThat(adopted.get("pid").asLong()).as("adopted, not relaunched").isEqualTo(pid);
      assertThat(adopted.get("restart_count").asInt()).isZero();
      load.phase(2);
      load.nodeBack("a");
      Await.until(
          "node a answering again after its restart",
          Duration.ofSeconds(30),
          () -> load.count(o -> o.phase() == 2 && o.node().equals("a") && !o.failed()) >= 10);
      Await.until(
          "node-a up again as seen from node c",
          LEARNED,
          () -> nodeStates(node("c")),
          s -> "up".equals(s.get("node-a")));
    } finally {
      load.close();
    }
    List<ClusterLoad.Outcome> failures = load.failures();
    assertThat(failures)
        .as(
            "failed of "
                + load.outcomes().size()
                + " requests ("
                + load.resent()
                + " resent from the killed node); first: "
                + failures.stream().limit(5).toList())
        .isEmpty();
    assertThat(load.count(o -> o.phase() == 1 && onB.equals(o.engine()))).isPositive();
  }

  @Test
  void withPostgresqlStoppedFor20sInferenceWorksManagementAnswers503AndAllIsConsistentAfter() {
    String onA = node("a").startEngine(mockEngine("steady", "a"));
    String onB = node("b").startEngine(mockEngine("steady", "b"));
    node("a").awaitState(onA, "READY", READY);
    node("b").awaitState(onB, "READY", READY);
    awaitSameEnginesEverywhere(Set.of(onA, onB));
    Map<String, String> before = engineStates(node("c"));

    postgres.stop();
    long outageEnds = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    try {
      for (Map.Entry<String, Gateway> on : gateways.entrySet()) {
        Http.Response start =
            on.getValue().post("/v1/management/engines", mockEngine("refused", on.getKey()));
        assertThat(start.status())
            .as("an engine start through node " + on.getKey() + ": " + start.body())
            .isEqualTo(503);
        assertThat(start.json().at("/error/message").asText()).containsIgnoringCase("database");
        Http.Response key =
            on.getValue()
                .post("/v1/management/keys", "{\"name\":\"late\",\"scope\":\"inference\"}");
        assertThat(key.status())
            .as("a key created through node " + on.getKey() + ": " + key.body())
            .isEqualTo(503);
      }
      java.util.concurrent.atomic.AtomicReference<String> last =
          new java.util.concurrent.atomic.AtomicReference<>("");
      try {
        Await.during(
            "inference through every node while PostgreSQL is down",
            Duration.ofNanos(Math.max(0, outageEnds - System.nanoTime())),
            () ->
                gateways.entrySet().stream()
                    .allMatch(
                        g -> {
                          Http.Response r = chat(g.getValue(), "steady");
                          last.set("node " + g.getKey() + ": " + r.status() + " " + r.body());
                          return r.status() == 200;
                        }));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; the answer: " + last.get(), e);
      }
    } finally {
      postgres.restart();
    }

    for (Map.Entry<String, Gateway> on : gateways.entrySet()) {
      Await.until(
          "all three nodes up again as seen from node " + on.getKey(),
          Duration.ofSeconds(30),
          // the first reads after the database's return may still answer 503: catching up
          () -> on.getValue().get("/v1/management/nodes"),
          r -> r.status() == 200 && nodeStates(on.getValue()).equals(ALL_UP));
      assertThat(engineStates(on.getValue()))
          .as("node " + on.getKey() + "'s engines after the outage (nothing refused was written)")
          .isEqualTo(before);
    }
    // management works again, across nodes: a key made through c serves through a and b
    Http.Response created =
        node("c").post("/v1/management/keys", "{\"name\":\"after\",\"scope\":\"inference\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String key = created.json().get("key").asText();
    for (String name : List.of("a", "b")) {
      Await.until(
          "the key made through c accepted by node " + name,
          LEARNED,
          () -> chatWithKey(node(name), "steady", key).status() == 200);
    }
    String later = node("b").startEngine(mockEngine("after-outage", "c"));
    node("c").awaitState(later, "READY", READY);
    Set<String> all = new java.util.HashSet<>(before.keySet());
    all.add(later);
    awaitSameEnginesEverywhere(all);
  }

  @Test
  void anEngineStoppedThroughCIsDrainedAndStoppedByA() throws Exception {
    Gateway a = node("a");
    String id =
        a.startEngine(
            "{\"model\":\"drained\",\"runtime\":\"mock\",\"served_model_name\":\"drained\","
                + "\"node\":\"node-a\",\"options\":{\"tokens_per_second\":10}}");
    long pid = a.awaitState(id, "READY", READY).get("pid").asLong();
    Gateway c = node("c");
    c.awaitState(id, "READY", LEARNED);
    // wrong calls through c: clear errors, nothing changes
    Http.Response early = c.post("/v1/management/engines/" + id + "/restart", "");
    assertThat(early.status()).as(early.body()).isEqualTo(409);
    assertThat(early.json().get("error").get("message").asText()).contains("READY");
    Http.Response bad = c.post("/v1/management/engines/" + id + "/stop?wait=maybe", "");
    assertThat(bad.status()).as(bad.body()).isEqualTo(400);
    Http.Response none = c.post("/v1/management/engines/eng-000000000000/stop", "");
    assertThat(none.status()).as(none.body()).isEqualTo(404);
    assertThat(a.engine(id).get("state").asText()).isEqualTo("READY");

    CountDownLatch firstToken = new CountDownLatch(1);
    CompletableFuture<List<String>> stream =
        CompletableFuture.supplyAsync(() -> a.streamChat("drained", 40, firstToken));
    assertThat(firstToken.await(30, TimeUnit.SECONDS)).as("the stream started").isTrue();

    Http.Response stop = node("c").post("/v1/management/engines/" + id + "/stop", "");
    assertThat(stop.status()).as(stop.body()).isEqualTo(202);
    a.awaitState(id, "DRAINING", Duration.ofSeconds(10));
    List<String> events = stream.get(60, TimeUnit.SECONDS);
    assertThat(events)
        .as("the in-flight stream completes while a drains")
        .last()
        .isEqualTo("[DONE]");
    for (Gateway on : gateways.values()) {
      on.awaitState(id, "STOPPED", LEARNED);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        .as("the engine process on host a is gone")
        .isFalse();
    List<String> reasons = new ArrayList<>();
    a.get("/v1/management/engines/" + id + "/events")
        .json()
        .get("events")
        .forEach(e -> reasons.add(e.get("from").asText() + "->" + e.get("to").asText()));
    assertThat(reasons.get(0)).isEqualTo("DRAINING->STOPPED");
    assertThat(reasons.get(1)).isEqualTo("READY->DRAINING");
    assertThat(a.get("/v1/management/audit?target=" + id).body())
        .as("a's audit log names the node the call came through")
        .contains("via node node-c");

    // a restart and a removal through c too, carried out by a
    Http.Response restarted = c.post("/v1/management/engines/" + id + "/restart?wait=true", "");
    assertThat(restarted.status()).as(restarted.body()).isEqualTo(200);
    assertThat(restarted.json().get("state").asText()).isEqualTo("READY");
    assertThat(a.engine(id).get("pid").asLong()).isNotEqualTo(pid);
    Http.Response stopAgain = c.post("/v1/management/engines/" + id + "/stop", "");
    assertThat(stopAgain.status()).as(stopAgain.body()).isEqualTo(202);
    a.awaitState(id, "STOPPED", Duration.ofSeconds(30));
    Http.Response removed = c.delete("/v1/management/engines/" + id + "?purge=true");
    assertThat(removed.status()).as(removed.body()).isEqualTo(200);
    assertThat(removed.json().get("purged").asBoolean()).isTrue();
    assertThat(a.get("/v1/management/engines/" + id).status()).isEqualTo(404);
  }

  @Test
  void killNineOfTheLeaderMovesLeadershipWithinTenSecondsAndAStartPlacedAfterwardsLandsWithRoom() {
    for (Map.Entry<String, Gateway> on : gateways.entrySet()) {
      Await.until(
          "node-a (the first node) leading as seen from node " + on.getKey(),
          Duration.ofSeconds(30),
          () -> leaderSeenBy(on.getValue()),
          "node-a"::equals);
    }
    long firstToken = nodes(node("b")).get("leader_token").asLong();
    assertThat(firstToken).isPositive();
    Sage.Result cli =
        Sage.run(
            Map.of(), "nodes", "--gateway", node("b").url(), "--api-key", node("b").adminKey());
    assertThat(cli.exitCode()).as(cli.all()).isZero();
    assertThat(cli.stdout()).contains("node-a (leader)").contains("node-b (this)");
    assertThat(cli.stdout()).contains("leader: node-a, token " + firstToken);
    // b's 80 GiB GPU taken by a 60 GB engine: of the nodes left, only c has room for another
    Http.Response named = node("a").post("/v1/management/engines", vllm60g("on-b", "b"));
    assertThat(named.status()).as(named.body()).isEqualTo(202);
    node("b").awaitState(named.json().get("id").asText(), "READY", READY);

    node("a").kill9();
    long killed = System.nanoTime();
    for (String name : List.of("b", "c")) {
      Await.until(
          "b or c leading as seen from node " + name + ", within 10 s of the leader's kill -9",
          Duration.ofSeconds(10).minusNanos(System.nanoTime() - killed),
          () -> nodes(node(name)),
          n ->
              List.of("node-b", "node-c").contains(n.path("leader").asText())
                  && n.path("leader_token").asLong() > firstToken);
    }
    System.out.printf(
        "leadership moved to %s in %.1f s%n",
        leaderSeenBy(node("b")), (System.nanoTime() - killed) / 1e9);

    Http.Response placed = node("b").post("/v1/management/engines", vllm60g("placed", null));
    assertThat(placed.status()).as(placed.body()).isEqualTo(202);
    assertThat(placed.json().get("node").asText())
        .as("the only node with room")
        .isEqualTo("node-c");
    JsonNode ready = node("c").awaitState(placed.json().get("id").asText(), "READY", READY);
    assertThat(ready.get("gpu_ids")).hasToString("[0]");
    assertThat(hosts.processesOn(hosts.host("c")))
        .as("the placed engine runs on host c")
        .contains(ready.get("pid").asLong());
    assertThat(ready.get("host").asText()).isEqualTo(hosts.host("c").address());

    // one more 60 GB engine fits nowhere: a clear 409 in the OpenAI shape, nothing started
    Http.Response full = node("c").post("/v1/management/engines", vllm60g("no-room", null));
    assertThat(full.status()).as(full.body()).isEqualTo(409);
    assertThat(full.json().get("error").get("message").asText()).contains("no node has room");
    // a start naming a node that does not exist, or one that is lost: 400 and 503
    Http.Response unknown = node("c").post("/v1/management/engines", vllm60g("x", "nope"));
    assertThat(unknown.status()).as(unknown.body()).isEqualTo(400);
    Await.until(
        "node-a lost as seen from node c",
        Duration.ofSeconds(30),
        () -> nodeStates(node("c")),
        st -> "lost".equals(st.get("node-a")));
    Http.Response lost = node("c").post("/v1/management/engines", vllm60g("x", "a"));
    assertThat(lost.status()).as(lost.body()).isEqualTo(503);
    assertThat(lost.json().get("error").get("code").asText()).isEqualTo("node_unavailable");
  }

  static Http.Response chatWithKey(Gateway through, String model, String key) {
    return Http.send(
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(through.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + key)
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\""
                        + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
  }

  /** The same engines listed by every node, with the same states. */
  void awaitSameEnginesEverywhere(Set<String> ids) {
    for (Map.Entry<String, Gateway> on : gateways.entrySet()) {
      Await.until(
          "node " + on.getKey() + " to list " + new TreeSet<>(ids) + " READY",
          LEARNED,
          () -> engineStates(on.getValue()),
          s -> ids.stream().allMatch(id -> "READY".equals(s.get(id))));
    }
  }
}

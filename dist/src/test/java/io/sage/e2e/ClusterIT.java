package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.testkit.postgres.ThrowawayPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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

  private static NetnsHosts hosts;
  private static ThrowawayPostgres postgres;
  @TempDir Path root;
  private String databaseUrl;
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
    Gateway a = start("a");
    for (String name : List.of("b", "c")) {
      Path dir = Files.createDirectories(root.resolve(name));
      Files.copy(a.dataDir().resolve("secret.key"), dir.resolve("secret.key"));
      Files.copy(a.dataDir().resolve("admin.key"), dir.resolve("admin.key"));
      start(name);
    }
  }

  @AfterEach
  void stopEverything() {
    List<String> left = new ArrayList<>();
    for (Map.Entry<String, Gateway> gateway : gateways.entrySet()) {
      gateway.getValue().close();
      int engines = Leftovers.killAll(gateway.getValue().dataDir());
      if (engines > 0) {
        left.add(engines + " engine process(es) of node " + gateway.getKey());
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
    return env;
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

  static String mockEngine(String model) {
    return "{\"model\":\""
        + model
        + "\",\"runtime\":\"mock\",\"served_model_name\":\""
        + model
        + "\"}";
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
  void threeGatewaysOnThreeHostsListEachOtherAtTheirOwnAddresses() {
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
    String id = a.startEngine(mockEngine("on-a"));
    JsonNode ready = a.awaitState(id, "READY", READY);
    assertThat(ready.get("host").asText()).isEqualTo(hosts.host("a").address());
    assertThat(hosts.processesOn(hosts.host("a"))).contains(ready.get("pid").asLong());
    Http.Response served = chat(a, "on-a");
    assertThat(served.status()).as(served.body()).isEqualTo(200);
    assertThat(served.header(ENGINE_HEADER)).isEqualTo(id);
  }

  @Test
  void aKilledGatewayComesBackAndAdoptsItsEnginesWithTheSamePids() throws Exception {
    Gateway a = node("a");
    String first = a.startEngine(mockEngine("kept-1"));
    String second = a.startEngine(mockEngine("kept-2"));
    Map<String, Long> pids = new LinkedHashMap<>();
    for (String id : List.of(first, second)) {
      pids.put(id, a.awaitState(id, "READY", READY).get("pid").asLong());
    }

    a.kill9();
    for (long pid : pids.values()) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
          .as("engine " + pid + " outlives its gateway")
          .contains(true);
    }
    Await.until(
        "node-a lost as seen from node b",
        Duration.ofSeconds(30),
        () -> nodeStates(node("b")),
        s -> "lost".equals(s.get("node-a")));
    Gateway again = a.restart();
    gateways.put("a", again);

    for (Map.Entry<String, Long> engine : pids.entrySet()) {
      JsonNode adopted = again.awaitState(engine.getKey(), "READY", READY);
      assertThat(adopted.get("pid").asLong())
          .as("adopted, not relaunched")
          .isEqualTo(engine.getValue());
      assertThat(adopted.get("restart_count").asInt()).isZero();
    }
    Http.Response served = chat(again, "kept-1");
    assertThat(served.status()).as(served.body()).isEqualTo(200);
    Await.until(
        "node-a up again as seen from node c",
        LEARNED,
        () -> nodeStates(node("c")),
        s -> "up".equals(s.get("node-a")));
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

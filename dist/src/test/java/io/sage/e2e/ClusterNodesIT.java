package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.testkit.postgres.ThrowawayPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real gateways (own data dirs and ports) on one real PostgreSQL (docs/cluster.md): each
 * registers itself as a node and lists both; a killed node turns lost; an engine stays with the
 * node that launched it and the other gateway lists it but never touches it.
 */
class ClusterNodesIT {
  @TempDir Path root;
  private ThrowawayPostgres postgres;
  private final List<Gateway> gateways = new ArrayList<>();

  @BeforeEach
  void startPostgres() {
    postgres = ThrowawayPostgres.start();
  }

  @AfterEach
  void cleanUp() {
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
        "SAGE_NODE_LOST_AFTER",
        "4s");
  }

  private Gateway start(Path dataDir, Map<String, String> env) {
    Gateway gateway = Gateway.start(dataDir, env);
    gateways.add(gateway);
    return gateway;
  }

  private static JsonNode nodes(Gateway on) {
    Http.Response response = on.get("/v1/management/nodes");
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.json();
  }

  private static String stateOf(JsonNode list, String id) {
    for (JsonNode node : list.get("nodes")) {
      if (node.get("id").asText().equals(id)) {
        return node.get("state").asText();
      }
    }
    return "absent";
  }

  @Test
  void twoGatewaysOnOneDatabaseListBothNodesAndKeepTheirEnginesApart() throws Exception {
    String url = postgres.createDatabase("cluster");
    Path dirA = Files.createDirectories(root.resolve("a"));
    Path dirB = Files.createDirectories(root.resolve("b"));
    Gateway a = start(dirA, environment(url, "node-a"));
    String engine = a.startEngine("{\"model\":\"stays-on-a\",\"runtime\":\"mock\"}");
    long pid = a.awaitState(engine, "READY", Duration.ofSeconds(60)).get("pid").asLong();
    int events = a.get("/v1/management/engines/" + engine + "/events").json().get("count").asInt();
    // every gateway of one database holds the same keys (docs/cluster.md)
    Files.copy(dirA.resolve("admin.key"), dirB.resolve("admin.key"));
    Files.copy(dirA.resolve("secret.key"), dirB.resolve("secret.key"));
    Gateway b = start(dirB, environment(url, "node-b"));

    for (Gateway on : List.of(a, b)) {
      JsonNode list =
          Await.until(
              "both nodes up as seen from " + on.url(),
              Duration.ofSeconds(30),
              () -> nodes(on),
              l -> "up".equals(stateOf(l, "node-a")) && "up".equals(stateOf(l, "node-b")));
      assertThat(list.get("count").asInt()).isEqualTo(2);
      assertThat(list.get("self").asText()).isEqualTo(on == a ? "node-a" : "node-b");
      for (JsonNode node : list.get("nodes")) {
        String port = Integer.toString((node.get("id").asText().equals("node-a") ? a : b).port());
        assertThat(node.get("address").asText()).isEqualTo("http://127.0.0.1:" + port);
        assertThat(node.get("version").asText()).isNotBlank();
        assertThat(node.get("gpus").isArray()).isTrue();
      }
    }
    Sage.Result cli = Sage.run(Map.of(), "nodes", "--gateway", b.url(), "--api-key", b.adminKey());
    assertThat(cli.exitCode()).as(cli.all()).isZero();
    assertThat(cli.stdout()).contains("node-a").contains("node-b (this)").contains("up");

    // the engine stays node-a's: node-b lists it as node-a's, but neither adopts nor relaunches it
    JsonNode onB =
        Await.until(
                "node-a's engine listed by node-b",
                Duration.ofSeconds(30),
                () -> b.get("/v1/management/engines/" + engine),
                r -> r.status() == 200)
            .json();
    assertThat(onB.get("node_id").asText()).isEqualTo("node-a");
    JsonNode onA = a.engine(engine);
    assertThat(onA.get("pid").asLong()).isEqualTo(pid);
    assertThat(onA.get("restart_count").asInt()).isZero();
    assertThat(a.get("/v1/management/engines/" + engine + "/events").json().get("count").asInt())
        .as("no transition caused by node-b's start")
        .isEqualTo(events);

    b.kill9();
    Await.until(
        "node-b lost as seen from node-a",
        Duration.ofSeconds(30),
        () -> nodes(a),
        l -> "lost".equals(stateOf(l, "node-b")) && "up".equals(stateOf(l, "node-a")));
  }
}

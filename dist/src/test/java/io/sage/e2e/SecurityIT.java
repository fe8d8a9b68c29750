package io.sage.e2e;

import static io.sage.e2e.EngineLifecycleIT.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: keys, scopes, revocation, bootstrap, validation, masking and limits through the real
 * gateway.
 */
class SecurityIT {
  private static final String MODEL = "sec-slow";
  private static final String CHAT =
      "{\"model\":\""
          + MODEL
          + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
          + "\"max_tokens\":2}";
  @TempDir static Path dataDir;
  static Gateway gateway;
  static String engineId;

  @BeforeAll
  static void start() {
    gateway = Gateway.start(dataDir, Map.of("SAGE_LIMITS_MAX_CONCURRENT_PER_KEY", "2"));
    engineId =
        gateway.startEngine(
            "{\"model\":\"" + MODEL + "\",\"runtime\":\"mock\",\"options\":{\"latency_ms\":2500}}");
    gateway.awaitState(engineId, "READY", Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).as("engine processes left after gateway stop").isZero();
  }

  static Http.Response as(String key, String method, String path, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(gateway.url() + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    // a bare "Bearer" carries no key, and the harness leaves a request with an Authorization header
    // alone
    request.header("Authorization", key == null ? "Bearer" : "Bearer " + key);
    return Http.send(request);
  }

  static JsonNode createKey(String body) {
    Http.Response created = gateway.post("/v1/management/keys", body);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json();
  }

  @Test
  void managementNeedsAnAdminKeyAndInferenceKeysGet403() {
    String inference = createKey("{\"name\":\"app\",\"scope\":\"inference\"}").get("key").asText();
    for (String path :
        List.of(
            "/v1/management/engines",
            "/v1/management/keys",
            "/v1/management/audit",
            "/v1/management/status",
            "/no/such/route")) {
      Http.Response anonymous = as(null, "GET", path, null);
      expectError(anonymous, 401);
      assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");
      expectError(as("sk-sage-not-a-real-key-at-all-000000", "GET", path, null), 401);
      Http.Response scoped = as(inference, "GET", path, null);
      expectError(scoped, 403);
      assertThat(scoped.json().at("/error/code").asText()).isEqualTo("insufficient_scope");
    }
    assertThat(as(gateway.adminKey(), "GET", "/v1/management/engines", null).status())
        .isEqualTo(200);
    Http.Response viaHeader =
        Http.send(
            HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/management/status"))
                .header("Authorization", "Basic Zm9vOmJhcg==")
                .header("x-api-key", gateway.adminKey()));
    expectError(viaHeader, 401);
    // open routes and, on loopback, inference routes need no key; an inference key works on them
    // too
    assertThat(as(null, "GET", "/health", null).status()).isEqualTo(200);
    assertThat(as(null, "GET", "/v1/models", null).status()).isEqualTo(200);
    assertThat(as(inference, "POST", "/v1/chat/completions", CHAT).status()).isEqualTo(200);
  }

  @Test
  void aKeyIsShownOnceAndOnlyItsHashReachesTheDatabaseFile() throws IOException {
    JsonNode created =
        createKey(
            "{\"name\":\"shown once\",\"scope\":\"inference\",\"models\":[\"" + MODEL + "\"]}");
    String key = created.get("key").asText();
    String id = created.get("id").asText();
    assertThat(key).startsWith("sk-sage-").hasSizeGreaterThan(40);
    assertThat(id).startsWith("key-");
    Http.Response list = gateway.get("/v1/management/keys");
    assertThat(list.body())
        .contains(id)
        .doesNotContain(key)
        .doesNotContain(gateway.adminKey())
        .doesNotContain("hash");
    JsonNode listed = null;
    for (JsonNode k : list.json().get("keys")) {
      if (k.get("id").asText().equals(id)) {
        listed = k;
      }
    }
    assertThat(listed).isNotNull();
    assertThat(listed.has("key")).isFalse();
    assertThat(listed.get("scope").asText()).isEqualTo("inference");
    assertThat(listed.get("models").get(0).asText()).isEqualTo(MODEL);
    assertThat(listed.get("created_at").asText()).isNotBlank();

    byte[] database = Files.readAllBytes(dataDir.resolve("sage.mv.db"));
    String bytes = new String(database, StandardCharsets.ISO_8859_1);
    assertThat(bytes).as("the H2 file holds key rows").contains(id);
    assertThat(bytes)
        .doesNotContain(key)
        .doesNotContain(key.substring(8, 30))
        .doesNotContain(gateway.adminKey())
        .doesNotContain(gateway.adminKey().substring(8, 30));
    assertThat(gateway.log()).doesNotContain(key).doesNotContain(gateway.adminKey());
    JsonNode audit = gateway.get("/v1/management/audit?action=key.create").json();
    assertThat(audit.toString()).contains(id).doesNotContain(key);
  }

  @Test
  void modelLimitedKeysUseOnlyTheirModels() {
    String allowed =
        createKey("{\"name\":\"slow only\",\"scope\":\"inference\",\"models\":[\"" + MODEL + "\"]}")
            .get("key")
            .asText();
    String other =
        createKey("{\"name\":\"other only\",\"scope\":\"inference\",\"models\":[\"other-model\"]}")
            .get("key")
            .asText();
    assertThat(as(allowed, "POST", "/v1/chat/completions", CHAT).status()).isEqualTo(200);
    Http.Response refused = as(other, "POST", "/v1/chat/completions", CHAT);
    expectError(refused, 403);
    assertThat(refused.json().at("/error/code").asText()).isEqualTo("model_not_allowed");
    assertThat(refused.json().at("/error/message").asText()).contains(MODEL);
    assertThat(as(other, "GET", "/v1/models", null).json().get("data")).isEmpty();
    assertThat(as(allowed, "GET", "/v1/models", null).json().get("data").get(0).get("id").asText())
        .isEqualTo(MODEL);
    expectError(as(other, "GET", "/v1/models/" + MODEL, null), 404);
    expectError(createKeyResponse("{\"name\":\"x\",\"scope\":\"admin\",\"models\":[\"m\"]}"), 400);
  }

  private static Http.Response createKeyResponse(String body) {
    return gateway.post("/v1/management/keys", body);
  }

  @Test
  void revocationIsEffectiveAtOnceAndAudited() {
    JsonNode created = createKey("{\"name\":\"to revoke\",\"scope\":\"admin\"}");
    String key = created.get("key").asText();
    String id = created.get("id").asText();
    assertThat(as(key, "GET", "/v1/management/status", null).status()).isEqualTo(200);
    Http.Response revoked = as(key, "DELETE", "/v1/management/keys/" + id, null);
    assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
    assertThat(revoked.json().get("active").asBoolean()).isFalse();
    expectError(as(key, "GET", "/v1/management/status", null), 401);
    expectError(as(key, "POST", "/v1/chat/completions", CHAT), 401);
    expectError(gateway.delete("/v1/management/keys/" + id), 409);
    expectError(gateway.delete("/v1/management/keys/key-nope"), 404);
    // newest first: the refused second revocation (by the harness's admin key), then the revocation
    // itself
    JsonNode audit =
        gateway.get("/v1/management/audit?action=key.revoke&target=" + id).json().get("entries");
    assertThat(audit.get(1).get("actor").asText()).as("the key revoked itself").isEqualTo(id);
    assertThat(audit.get(1).get("outcome").asText()).isEqualTo("ok");
    assertThat(audit.get(0).get("outcome").asText()).isEqualTo("error");
    assertThat(audit.get(0).get("actor").asText()).isNotEqualTo(id).startsWith("key-");
  }

  @Test
  void bootstrapKeyFileIsOwnerOnlyAndTheAuditNamesTheActingKey() throws IOException {
    Path file = dataDir.resolve("admin.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(gateway.log()).contains(file.toString()).doesNotContain(gateway.adminKey());
    String adminId = null;
    for (JsonNode k : gateway.get("/v1/management/keys").json().get("keys")) {
      if (k.get("name").asText().equals("bootstrap admin")) {
        adminId = k.get("id").asText();
      }
    }
    assertThat(adminId).isNotNull();
    JsonNode starts = gateway.get("/v1/management/audit?action=engine.start").json().get("entries");
    assertThat(starts.get(starts.size() - 1).get("actor").asText()).isEqualTo(adminId);
    // a rejected anonymous attempt leaves no audit row under a key it does not hold
    expectError(
        as(null, "POST", "/v1/management/engines", "{\"model\":\"x\",\"runtime\":\"mock\"}"), 401);
  }

  @Test
  void theCliUsesTheKeyFileAndManagesKeys() {
    Map<String, String> env =
        Map.of("SAGE_GATEWAY_URL", gateway.url(), "SAGE_HOME", dataDir.toString());
    Sage.Result created =
        Sage.run(env, "keys", "create", "cli-key", "--scope", "inference", "--model", MODEL);
    assertThat(created.exitCode()).as(created.all()).isZero();
    String key =
        created
            .stdout()
            .lines()
            .map(String::trim)
            .filter(l -> l.startsWith("sk-sage-"))
            .findFirst()
            .orElseThrow();
    String id = created.stdout().replaceAll("(?s).*key (key-[0-9a-f]+).*", "$1");
    Sage.Result list = Sage.run(env, "keys", "list");
    assertThat(list.exitCode()).as(list.all()).isZero();
    assertThat(list.stdout()).contains(id).contains("cli-key").contains(MODEL).doesNotContain(key);
    assertThat(as(key, "GET", "/v1/models", null).status()).isEqualTo(200);
    Sage.Result revoke = Sage.run(env, "keys", "revoke", id);
    assertThat(revoke.exitCode()).as(revoke.all()).isZero();
    expectError(as(key, "GET", "/v1/models", null), 401);
    // without the key file (another SAGE_HOME) the CLI gets the gateway's 401, exit code 1
    Sage.Result noKey =
        Sage.run(
            Map.of(
                "SAGE_GATEWAY_URL", gateway.url(), "SAGE_HOME", dataDir.resolve("none").toString()),
            "keys",
            "list");
    assertThat(noKey.exitCode()).isEqualTo(1);
    assertThat(noKey.stderr()).contains("admin API key").contains("--api-key");
  }

  @Test
  void invalidEngineRequestsAre400AndLaunchNothing() {
    int before = gateway.get("/v1/management/engines").json().get("count").asInt();
    for (String body :
        List.of(
            "{\"model\":\"x; rm -rf /\",\"runtime\":\"mock\"}",
            "{\"model\":\"$(reboot)\",\"runtime\":\"mock\"}",
            "{\"model\":\"--help\",\"runtime\":\"mock\"}",
            "{\"model\":\"ok-model\",\"runtime\":\"mock\",\"label\":\"bad\\nlabel\"}",
            "{\"model\":\"ok-model\",\"runtime\":\"mock\",\"extra_args\":[\"--port\",\"1\"]}",
            "{\"model\":\"ok-model\",\"runtime\":\"vllm\",\"extra_args\":[\"--trust-remote-code; curl evil\"]}",
            "{\"model\":\"ok-model\",\"runtime\":\"vllm\",\"extra_args\":[\"--not-allowed-flag\"]}",
            "{\"model\":\"ok-model\",\"runtime\":\"mock\",\"options\":{\"Bad Name\":\"1\"}}",
            "{\"model\":\"ok-model\",\"runtime\":\"../../bin/sh\"}")) {
      Http.Response response = gateway.post("/v1/management/engines", body);
      expectError(response, 400);
    }
    for (String body :
        List.of(
            "{\"model\":\"r\",\"base_url\":\"file:///etc/passwd\"}",
            "{\"model\":\"r\",\"base_url\":\"gopher://example.com\"}",
            "{\"model\":\"r\",\"base_url\":\"http:///nohost\"}",
            "{\"model\":\"r\",\"base_url\":\"http://user:pw@example.com\"}",
            "{\"model\":\"r\",\"base_url\":\"http://127.0.0.1:" + gateway.port() + "\"}",
            "{\"model\":\"r\",\"base_url\":\"http://localhost:" + gateway.port() + "/v1\"}")) {
      Http.Response response = gateway.post("/v1/management/engines/register", body);
      expectError(response, 400);
      assertThat(response.json().at("/error/message").asText()).contains("base_url");
    }
    assertThat(gateway.get("/v1/management/engines").json().get("count").asInt()).isEqualTo(before);
    assertThat(Leftovers.processesUnder(dataDir)).hasSize(1);
  }

  @Test
  void secretsAreMaskedInListingsAuditAndLog() {
    String remoteSecret = "sk-remote-Zq8VERYSECRET42";
    Http.Response registered =
        gateway.post(
            "/v1/management/engines/register",
            "{\"model\":\"remote-secret\",\"base_url\":\"http://127.0.0.1:9\",\"api_key\":\""
                + remoteSecret
                + "\"}");
    assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    String remoteId = registered.json().get("id").asText();
    String optionSecret = "hf_SECRETTOKENVALUE77";
    expectError(
        gateway.post(
            "/v1/management/engines",
            "{\"model\":\"m\",\"runtime\":\"mock\",\"options\":{\"hf_token\":\""
                + optionSecret
                + "\",\"api_key\":\""
                + optionSecret
                + "\"}}"),
        400);
    List<String> shown =
        new ArrayList<>(
            List.of(
                registered.body(),
                gateway.get("/v1/management/engines").body(),
                gateway.get("/v1/management/engines/" + remoteId).body(),
                gateway.get("/v1/management/engines/" + remoteId + "/events").body(),
                gateway.get("/v1/management/backends").body(),
                gateway.get("/v1/management/audit?limit=1000").body(),
                gateway.get("/v1/management/status").body(),
                gateway.log()));
    for (String text : shown) {
      assertThat(text)
          .doesNotContain(remoteSecret)
          .doesNotContain(optionSecret)
          .doesNotContain("sk-engine-");
    }
    gateway.delete("/v1/management/engines/" + remoteId + "?drain=false");
  }

  @Test
  void bodyOverTheLimitIs413AndTooManyInFlightPerKeyIs429() throws Exception {
    String huge =
        "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + "x".repeat(17 * 1024 * 1024) + "\"}";
    expectError(gateway.post("/v1/completions", huge), 413);

    String key = createKey("{\"name\":\"limited\",\"scope\":\"inference\"}").get("key").asText();
    List<CompletableFuture<Http.Response>> running = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      running.add(
          CompletableFuture.supplyAsync(() -> as(key, "POST", "/v1/chat/completions", CHAT)));
    }
    Await.until(
        "2 requests in flight on " + engineId,
        Duration.ofSeconds(30),
        () -> gateway.engine(engineId).get("active_requests").asInt() >= 2);
    Http.Response third = as(key, "POST", "/v1/chat/completions", CHAT);
    expectError(third, 429);
    assertThat(third.header("Retry-After")).isEqualTo("1");
    assertThat(third.json().at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
    for (CompletableFuture<Http.Response> request : running) {
      assertThat(request.get().status()).isEqualTo(200);
    }
    // the slots were given back when the responses ended
    assertThat(as(key, "POST", "/v1/chat/completions", CHAT).status()).isEqualTo(200);
    assertThat(as(key, "POST", "/v1/chat/completions", "{\"model\":\"unknown\"}").status())
        .isEqualTo(404);
    assertThat(as(key, "POST", "/v1/chat/completions", CHAT).status()).isEqualTo(200);
  }

  @Test
  void aGatewayOnANetworkAddressRequiresKeysForInferenceAndRefusesToStartWithout(
      @TempDir Path networkDir) {
    int port = Ports.free();
    Sage.Result refused =
        Sage.run(
            Map.of("SAGE_AUTH_INFERENCE", "optional"),
            "gateway",
            "start",
            "--host",
            "0.0.0.0",
            "--port",
            Integer.toString(port),
            "--data-dir",
            networkDir.resolve("refused").toString());
    assertThat(refused.exitCode()).as(refused.all()).isNotZero();
    assertThat(refused.all()).contains("refusing to start").contains("0.0.0.0");
    assertThat(Leftovers.processesUnder(networkDir)).isEmpty();

    try (Gateway exposed = Gateway.start(networkDir.resolve("exposed"), "--host", "0.0.0.0")) {
      Http.Response anonymous =
          Http.send(
              HttpRequest.newBuilder(URI.create(exposed.url() + "/v1/chat/completions"))
                  .header("Authorization", "Bearer")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}")));
      expectError(anonymous, 401);
      expectError(
          Http.send(
              HttpRequest.newBuilder(URI.create(exposed.url() + "/v1/models"))
                  .header("Authorization", "Bearer")),
          401);
      assertThat(exposed.get("/v1/models").status()).as("with the admin key").isEqualTo(200);
      assertThat(
              Http.send(
                      HttpRequest.newBuilder(URI.create(exposed.url() + "/health"))
                          .header("Authorization", "Bearer"))
                  .status())
          .isEqualTo(200);
    } finally {
      Leftovers.killAll(networkDir);
    }
  }

  @Test
  void sessionsBelongToTheKeyThatCreatedThemAndAdminsSeeAll() {
    String alice = createKey("{\"name\":\"alice\",\"scope\":\"inference\"}").get("key").asText();
    String bob = createKey("{\"name\":\"bob\",\"scope\":\"inference\"}").get("key").asText();
    Http.Response created =
        Http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(gateway.url() + "/v1/sessions"))
                .header("Authorization", "Bearer " + alice)
                .header("Content-Type", "application/json")
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString("{\"title\":\"alice's\"}")));
    assertThat(created.status()).as(created.body()).isIn(200, 201);
    String id = created.json().get("id").asText();
    Http.Response asBob =
        Http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(gateway.url() + "/v1/sessions/" + id))
                .header("Authorization", "Bearer " + bob)
                .GET());
    assertThat(asBob.status()).isEqualTo(404);
    Http.Response bobsList =
        Http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(gateway.url() + "/v1/sessions"))
                .header("Authorization", "Bearer " + bob)
                .GET());
    assertThat(bobsList.body()).doesNotContain(id);
    Http.Response asAlice =
        Http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(gateway.url() + "/v1/sessions/" + id))
                .header("Authorization", "Bearer " + alice)
                .GET());
    assertThat(asAlice.status()).isEqualTo(200);
    assertThat(gateway.get("/v1/sessions/" + id).status())
        .as("admin sees every session")
        .isEqualTo(200);
  }
}

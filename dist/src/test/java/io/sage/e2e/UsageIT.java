package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21: usage rows and roll-ups, the usage API and CLI, per-key rate limits and budgets,
 * through the real gateway and a real mock engine; the budget outlives a kill -9 of the gateway.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UsageIT {
  private static final String MODEL = "usage-model";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir static Path dataDir;
  static Gateway gateway;
  static String engineId;

  @BeforeAll
  static void start() {
    gateway =
        Gateway.start(
            dataDir,
            Map.of(
                "SAGE_HEALTH_INTERVAL", "500ms",
                "SAGE_ENGINES_PORT_RANGE_START", "47100",
                "SAGE_ENGINES_PORT_RANGE_END", "47999"));
    engineId = gateway.startEngine("{\"model\":\"" + MODEL + "\",\"runtime\":\"mock\"}");
    gateway.awaitState(engineId, "READY", Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  /** A key and its secret. */
  record Key(String id, String secret) {}

  static Key createKey(String name, String limits) {
    Http.Response created =
        gateway.post(
            "/v1/management/keys",
            "{\"name\":\"" + name + "\",\"scope\":\"inference\"" + limits + "}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return new Key(created.json().get("id").asText(), created.json().get("key").asText());
  }

  static String chat(boolean stream, int maxTokens, boolean includeUsage) {
    return "{\"model\":\""
        + MODEL
        + "\",\"stream\":"
        + stream
        + ",\"max_tokens\":"
        + maxTokens
        + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
  }

  static Http.Response post(String url, Key key, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key.secret());
    }
    return Http.send(request);
  }

  static Http.Response chatAs(Key key, String body) {
    return post(gateway.url() + "/v1/chat/completions", key, body);
  }

  static JsonNode awaitJson(String path, Predicate<JsonNode> condition) {
    return Await.until(
        path + " reaching the condition",
        WAIT,
        () -> {
          Http.Response response = gateway.get(path);
          assertThat(response.status()).as(response.body()).isEqualTo(200);
          return response.json();
        },
        condition);
  }

  static JsonNode row(JsonNode answer, String field, String value) {
    for (JsonNode row : answer.path("data")) {
      if (value.equals(row.path(field).asText())) {
        return row;
      }
    }
    throw new AssertionError("no row with " + field + "=" + value + " in " + answer);
  }

  static String normalized(String sse) {
    return sse.replaceAll("chatcmpl-mock-\\d+", "ID")
        .replaceAll("\"created\":\\d+", "\"created\":T");
  }

  @Test
  @Order(1)
  void rowsAndRollUpsMatchTheTokensTheMockReported() {
    Key a = createKey("usage-a", "");
    Key b = createKey("usage-b", "");

    Http.Response whole = chatAs(a, chat(false, 7, false));
    assertThat(whole.status()).as(whole.body()).isEqualTo(200);
    assertThat(whole.json().at("/usage/completion_tokens").asLong()).isEqualTo(7);
    long prompt = whole.json().at("/usage/prompt_tokens").asLong();
    assertThat(prompt).isPositive();
    Http.Response asked = chatAs(a, chat(true, 5, true));
    assertThat(asked.body()).contains("\"completion_tokens\":5").contains("[DONE]");
    Http.Response notAsked = chatAs(a, chat(true, 4, false));
    assertThat(notAsked.status()).isEqualTo(200);
    for (int i = 0; i < 2; i++) {
      assertThat(chatAs(b, chat(false, 3, false)).status()).isEqualTo(200);
    }

    assertThat(notAsked.body()).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");

    JsonNode byKey =
        awaitJson(
            "/v1/management/usage?group_by=key",
            u ->
                u.path("data").size() >= 2
                    && row(u, "key_id", b.id()).path("requests").asLong() == 2
                    && row(u, "key_id", a.id()).path("requests").asLong() == 3);
    JsonNode rowA = row(byKey, "key_id", a.id());
    assertThat(rowA.path("prompt_tokens").asLong()).isEqualTo(3 * prompt);
    assertThat(rowA.path("completion_tokens").asLong()).isEqualTo(7 + 5 + 4);
    assertThat(rowA.path("total_tokens").asLong()).isEqualTo(3 * prompt + 16);
    JsonNode rowB = row(byKey, "key_id", b.id());
    assertThat(rowB.path("completion_tokens").asLong()).isEqualTo(6);
    assertThat(rowB.path("prompt_tokens").asLong()).isEqualTo(2 * prompt);

    JsonNode byModel = gateway.get("/v1/management/usage?group_by=model&from=1h").json();
    assertThat(row(byModel, "model", MODEL).path("completion_tokens").asLong()).isEqualTo(22);

    // the raw rows: one per request, with the tokens the mock reported for each
    JsonNode records = gateway.get("/v1/management/usage/records?limit=5").json().path("data");
    List<Long> completions = new ArrayList<>();
    for (JsonNode r : records) {
      assertThat(r.path("engine_id").asText()).isEqualTo(engineId);
      assertThat(r.path("status").asInt()).isEqualTo(200);
      assertThat(r.path("route").asText()).isEqualTo("/v1/chat/completions");
      assertThat(r.path("ttfb_ms").isNumber()).isTrue();
      assertThat(r.path("prompt_tokens").asLong()).isEqualTo(prompt);
      completions.add(r.path("completion_tokens").asLong());
    }
    assertThat(completions).containsExactly(3L, 3L, 4L, 5L, 7L);

    // a key reads its own usage, and only its own
    Http.Response own =
        Http.send(
            HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/usage?group_by=model"))
                .header("Authorization", "Bearer " + b.secret()));
    assertThat(own.status()).as(own.body()).isEqualTo(200);
    assertThat(own.json().path("key_id").asText()).isEqualTo(b.id());
    assertThat(own.json().at("/totals/completion_tokens").asLong()).isEqualTo(6);
    Http.Response others =
        Http.send(
            HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/management/usage"))
                .header("Authorization", "Bearer " + b.secret()));
    assertThat(others.status()).isEqualTo(403);

    Http.Response bad = gateway.get("/v1/management/usage?group_by=color&from=yesterday");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().at("/error/message").asText()).contains("group_by").contains("from");

    // the per-key token counters
    String metrics = gateway.get("/metrics").body();
    assertThat(metrics)
        .contains("sage_key_tokens_total{key_id=\"" + b.id() + "\",type=\"completion\"} 6.0");
  }

  @Test
  @Order(2)
  void theCliGroupsUsageByKeyAndByModel() {
    Sage.Result byKey =
        Sage.run(
            Map.of(),
            "usage",
            "--by",
            "key",
            "--since",
            "24h",
            "--json",
            "--gateway",
            gateway.url(),
            "--api-key",
            gateway.adminKey());
    assertThat(byKey.exitCode()).as(byKey.all()).isZero();
    JsonNode json = Http.JSON.valueToTree(parse(byKey.stdout()));
    assertThat(json.path("group_by").get(0).asText()).isEqualTo("key");
    assertThat(json.path("data").size()).isGreaterThanOrEqualTo(2);
    assertThat(json.at("/totals/completion_tokens").asLong()).isGreaterThanOrEqualTo(22);

    Sage.Result table =
        Sage.run(
            Map.of(),
            "usage",
            "--by",
            "model",
            "--gateway",
            gateway.url(),
            "--api-key",
            gateway.adminKey());
    assertThat(table.exitCode()).as(table.all()).isZero();
    assertThat(table.stdout()).contains("MODEL").contains("COMPLETION").contains(MODEL);
  }

  private static JsonNode parse(String text) {
    try {
      return Http.JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  @Test
  @Order(3)
  void aKeyOverItsRpmGets429WithRetryAfterWhileAnotherIsServed() {
    Sage.Result created =
        Sage.run(
            Map.of(),
            "keys",
            "create",
            "limited",
            "--rpm",
            "3",
            "--tpm",
            "100000",
            "--budget",
            "1000000/day",
            "--json",
            "--gateway",
            gateway.url(),
            "--api-key",
            gateway.adminKey());
    assertThat(created.exitCode()).as(created.all()).isZero();
    JsonNode key = parse(created.stdout());
    Key limited = new Key(key.get("id").asText(), key.get("key").asText());
    assertThat(key.at("/limits/rpm").asInt()).isEqualTo(3);
    assertThat(key.at("/limits/budget").asText()).isEqualTo("1000000/day");
    Sage.Result list =
        Sage.run(
            Map.of(), "keys", "list", "--gateway", gateway.url(), "--api-key", gateway.adminKey());
    assertThat(list.stdout()).contains("rpm 3, tpm 100000, budget 1000000/day");
    Key other = createKey("unlimited", "");

    for (int i = 0; i < 3; i++) {
      Http.Response ok = chatAs(limited, chat(false, 1, false));
      assertThat(ok.status()).as(ok.body()).isEqualTo(200);
      assertThat(ok.header("x-ratelimit-limit-requests")).isEqualTo("3");
      assertThat(ok.header("x-ratelimit-remaining-requests")).isEqualTo(Integer.toString(2 - i));
      assertThat(ok.header("x-ratelimit-limit-tokens")).isEqualTo("100000");
      assertThat(ok.header("x-ratelimit-reset-requests")).matches("\\d+s|\\d+m\\d+s");
    }
    Http.Response refused = chatAs(limited, chat(false, 1, false));
    assertThat(refused.status()).as(refused.body()).isEqualTo(429);
    assertThat(refused.json().at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(refused.json().at("/error/type").asText()).isEqualTo("rate_limit_error");
    assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);
    assertThat(refused.header("x-ratelimit-remaining-requests")).isEqualTo("0");
    assertThat(refused.header("x-ratelimit-reset-requests")).isNotNull();
    Http.Response served = chatAs(other, chat(false, 1, false));
    assertThat(served.status()).as(served.body()).isEqualTo(200);
    assertThat(served.header("x-ratelimit-limit-requests")).isNull();

    // limits changed later, audited
    Http.Response raised =
        Http.send(
            HttpRequest.newBuilder(
                    URI.create(gateway.url() + "/v1/management/keys/" + limited.id() + "/limits"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"rpm\":1000}")));
    assertThat(raised.status()).as(raised.body()).isEqualTo(200);
    assertThat(raised.json().at("/limits/rpm").asInt()).isEqualTo(1000);
    assertThat(raised.json().at("/limits/budget").isNull()).isTrue();
    assertThat(chatAs(limited, chat(false, 1, false)).status()).isEqualTo(200);
    Http.Response invalid =
        Http.send(
            HttpRequest.newBuilder(
                    URI.create(gateway.url() + "/v1/management/keys/" + limited.id() + "/limits"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"rpm\":0,\"budget\":\"lots\"}")));
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.json().at("/error/message").asText()).contains("rpm").contains("budget");
    String audit = gateway.get("/v1/management/audit?limit=200").body();
    assertThat(audit).contains("key.limits").contains("rpm 1000");
  }

  @Test
  @Order(4)
  void anExhaustedBudgetStaysExhaustedAfterAKill9() {
    Key budgeted = createKey("budgeted", ",\"budget\":\"20/day\"");
    int served = 0;
    Http.Response last = null;
    for (int i = 0; i < 10; i++) {
      last = chatAs(budgeted, chat(false, 7, false));
      if (last.status() != 200) {
        break;
      }
      served++;
    }
    assertThat(served).isBetween(1, 3);
    assertThat(last.status()).as(last.body()).isEqualTo(429);
    assertThat(last.json().at("/error/code").asText()).isEqualTo("insufficient_quota");
    assertThat(last.json().at("/error/type").asText()).isEqualTo("insufficient_quota");
    int spent = served;
    // what the budget counted has reached the database (the writer commits every flush interval)
    awaitJson(
        "/v1/management/usage?key=" + budgeted.id(),
        u -> u.at("/totals/requests").asLong() >= spent + 1);

    gateway.kill9();
    gateway = gateway.restart();

    Http.Response after = chatAs(budgeted, chat(false, 7, false));
    assertThat(after.status()).as(after.body()).isEqualTo(429);
    assertThat(after.json().at("/error/code").asText()).isEqualTo("insufficient_quota");
    Http.Response own =
        Http.send(
            HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/usage"))
                .header("Authorization", "Bearer " + budgeted.secret()));
    assertThat(own.json().at("/limits/budget/remaining").asLong()).isZero();
    assertThat(own.json().at("/limits/budget/spent").asLong()).isGreaterThanOrEqualTo(20);
  }

  @Test
  @Order(5)
  void aStreamWhoseClientDidNotAskForUsageIsTheEnginesBytesAndIsCounted() throws Exception {
    // a mock engine the test runs itself, registered as remote, so the test can ask it directly
    try (DirectMock direct = DirectMock.start("direct-usage", dataDir.resolve("direct.log"))) {
      String base = direct.base();
      String id = direct.registerWith(gateway, "direct-usage");
      Key key = createKey("streamer", "");
      String body = chat(true, 6, false).replace(MODEL, "direct-usage");

      Http.Response viaGateway = chatAs(key, body);
      Http.Response viaEngine = post(base + "/v1/chat/completions", null, body);
      assertThat(viaGateway.status()).as(viaGateway.body()).isEqualTo(200);
      assertThat(viaGateway.header("content-type")).startsWith("text/event-stream");
      assertThat(viaGateway.body()).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
      assertThat(normalized(viaGateway.body())).isEqualTo(normalized(viaEngine.body()));

      JsonNode usage =
          awaitJson(
              "/v1/management/usage?key=" + key.id(), u -> u.at("/totals/requests").asLong() == 1);
      assertThat(usage.at("/totals/completion_tokens").asLong()).isEqualTo(6);
      assertThat(usage.at("/totals/prompt_tokens").asLong()).isPositive();
    }
  }
}

package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10: conversation sessions through the real gateway and real mock engine processes. */
class SessionsIT {
  private static final String MODEL = "sessions-model";
  private static final String SLOW_MODEL = "sessions-slow";
  @TempDir static Path dataDir;
  static Gateway gateway;
  static String engineId;

  @BeforeAll
  static void start() {
    gateway = Gateway.start(dataDir);
    engineId = gateway.startEngine(engine(MODEL, "\"log_requests\":true"));
    String slow = gateway.startEngine(engine(SLOW_MODEL, "\"tokens_per_second\":5"));
    gateway.awaitState(engineId, "READY", Duration.ofSeconds(60));
    gateway.awaitState(slow, "READY", Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  static String engine(String model, String options) {
    return "{\"model\":\"" + model + "\",\"runtime\":\"mock\",\"options\":{" + options + "}}";
  }

  // ---- helpers -------------------------------------------------------------------------------

  static String newSession(Gateway on, String title) {
    Http.Response created =
        on.post("/v1/sessions", title == null ? "" : "{\"title\":\"" + title + "\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().get("id").asText();
  }

  /** A chat body; {@code sessionId} null leaves the field out. */
  static String chat(
      String model, String sessionId, String userText, boolean stream, int maxTokens) {
    return "{\"model\":\""
        + model
        + "\","
        + (sessionId == null ? "" : "\"session_id\":\"" + sessionId + "\",")
        + "\"stream\":"
        + stream
        + ",\"max_tokens\":"
        + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\""
        + userText
        + "\"}]}";
  }

  static Http.Response send(
      Gateway on, String method, String path, String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(on.url() + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return Http.send(request);
  }

  static String tokens(int n) {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tokens.add("tok" + i);
    }
    return String.join(" ", tokens);
  }

  static JsonNode session(Gateway on, String id) {
    Http.Response response = on.get("/v1/sessions/" + id);
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.json();
  }

  /**
   * Polls the session until its messages satisfy {@code condition} (stores happen after the
   * response).
   */
  static JsonNode awaitMessages(Gateway on, String id, Predicate<JsonNode> condition) {
    return Await.until(
        "the expected messages in session " + id,
        Duration.ofSeconds(30),
        () -> session(on, id),
        s -> condition.test(s.get("messages")));
  }

  /** The mock engine's log line for the request sent with {@code requestId}. */
  static String engineReceived(Gateway on, String engine, String requestId) {
    String logs =
        Await.until(
            "engine " + engine + " to log request " + requestId,
            Duration.ofSeconds(20),
            () -> on.get("/v1/management/engines/" + engine + "/logs?tail=50").body(),
            text -> text.contains("x-request-id=" + requestId + " "));
    for (String line : logs.split("\n")) {
      if (line.contains("x-request-id=" + requestId + " ")) {
        return line.substring(line.indexOf("body=") + 5);
      }
    }
    throw new AssertionError("engine " + engine + " logged no request " + requestId + ":\n" + logs);
  }

  static void assertOpenAiError(Http.Response response, int status, String code) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.json().at("/error/code").asText()).as(response.body()).isEqualTo(code);
    assertThat(response.json().at("/error/message").asText()).isNotBlank();
    assertThat(response.json().at("/error/type").asText()).isNotBlank();
  }

  // ---- tests ---------------------------------------------------------------------------------

  @Test
  void everyRouteWorksUnderBothPrefixes() {
    for (String prefix : List.of("/sessions", "/v1/sessions")) {
      Http.Response created = gateway.post(prefix, "{\"title\":\"Trip plans\"}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      String id = created.json().get("id").asText();
      assertThat(created.json().get("title").asText()).isEqualTo("Trip plans");
      assertThat(created.json().get("message_count").asInt()).isZero();
      assertThat(created.json().get("created_at").asText()).isNotBlank();
      Http.Response untitled = gateway.post(prefix, "");
      assertThat(untitled.status()).isEqualTo(201);
      assertThat(untitled.json().get("title").isNull()).isTrue();
      String second = untitled.json().get("id").asText();

      Http.Response list = gateway.get(prefix);
      assertThat(list.status()).isEqualTo(200);
      List<String> ids = new ArrayList<>();
      list.json().get("sessions").forEach(s -> ids.add(s.get("id").asText()));
      assertThat(ids).contains(id, second);
      assertThat(ids.indexOf(second)).as("newest first").isLessThan(ids.indexOf(id));
      assertThat(list.json().get("count").asInt()).isEqualTo(ids.size());
      assertThat(list.json().has("total_messages")).isTrue();
      assertThat(list.json().at("/sessions/0").has("last_active_at")).isTrue();

      Http.Response chat = gateway.post("/v1/chat/completions", chat(MODEL, id, "hello", false, 2));
      assertThat(chat.status()).as(chat.body()).isEqualTo(200);
      awaitMessages(gateway, id, m -> m.size() == 2);

      Http.Response one = gateway.get(prefix + "/" + id);
      assertThat(one.status()).isEqualTo(200);
      assertThat(one.json().at("/messages/0/role").asText()).isEqualTo("user");
      assertThat(one.json().at("/messages/0/content").asText()).isEqualTo("hello");
      assertThat(one.json().at("/messages/0/timestamp").asText()).isNotBlank();
      assertThat(one.json().at("/messages/1/content").asText()).isEqualTo("tok0 tok1");

      Http.Response renamed =
          send(gateway, "PATCH", prefix + "/" + id + "/title", "{\"title\":\"Renamed\"}");
      assertThat(renamed.status()).as(renamed.body()).isEqualTo(200);
      assertThat(session(gateway, id).get("title").asText()).isEqualTo("Renamed");

      Http.Response cleared = gateway.post(prefix + "/" + id + "/clear", "");
      assertThat(cleared.status()).as(cleared.body()).isEqualTo(200);
      assertThat(cleared.json().get("deleted_messages").asInt()).isEqualTo(2);
      assertThat(session(gateway, id).get("messages")).isEmpty();
      assertThat(session(gateway, id).get("title").asText()).isEqualTo("Renamed");

      Http.Response cleanup = gateway.post(prefix + "/cleanup?max_age_minutes=60", "");
      assertThat(cleanup.status()).as(cleanup.body()).isEqualTo(200);
      assertThat(cleanup.json().get("session_ids").toString()).doesNotContain(id);
      assertThat(gateway.get(prefix + "/" + id).status())
          .as("an active session survives cleanup")
          .isEqualTo(200);

      Http.Response deleted = gateway.delete(prefix + "/" + id);
      assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
      assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
      assertOpenAiError(gateway.get(prefix + "/" + id), 404, "not_found");
      assertThat(gateway.delete(prefix + "/" + second).status()).isEqualTo(200);
    }
  }

  @Test
  void historyIsPrependedAndTheExtensionFieldNeverReachesTheEngine() {
    String id = newSession(gateway, null);
    String first = "req-" + UUID.randomUUID();
    Http.Response one =
        send(
            gateway,
            "POST",
            "/v1/chat/completions",
            chat(MODEL, id, "first question", false, 3),
            "x-request-id",
            first);
    assertThat(one.status()).as(one.body()).isEqualTo(200);
    assertThat(one.json().at("/choices/0/message/content").asText()).isEqualTo("tok0 tok1 tok2");
    awaitMessages(gateway, id, m -> m.size() == 2);

    // the second turn names the session by header, and brings a system prompt
    String second = "req-" + UUID.randomUUID();
    String body =
        "{\"model\":\""
            + MODEL
            + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"system\",\"content\":"
            + "\"be brief\"},{\"role\":\"user\",\"content\":\"second question\"}]}";
    Http.Response two =
        send(
            gateway,
            "POST",
            "/v1/chat/completions",
            body,
            "x-request-id",
            second,
            "x-sage-session-id",
            id);
    assertThat(two.status()).as(two.body()).isEqualTo(200);

    String firstSeen = engineReceived(gateway, engineId, first);
    String secondSeen = engineReceived(gateway, engineId, second);
    assertThat(firstSeen)
        .doesNotContain("session_id")
        .doesNotContain(id)
        .contains("first question");
    assertThat(secondSeen).doesNotContain("session_id").doesNotContain(id);
    JsonNode sent = new Http.Response(200, java.util.Map.of(), secondSeen).json();
    List<String> seen = new ArrayList<>();
    sent.get("messages")
        .forEach(m -> seen.add(m.get("role").asText() + ":" + m.get("content").asText()));
    assertThat(seen)
        .containsExactly(
            "system:be brief",
            "user:first question",
            "assistant:tok0 tok1 tok2",
            "user:second question");

    JsonNode stored = awaitMessages(gateway, id, m -> m.size() == 4);
    List<String> messages = new ArrayList<>();
    stored
        .get("messages")
        .forEach(m -> messages.add(m.get("role").asText() + ":" + m.get("content").asText()));
    assertThat(messages)
        .as("system prompts are not stored")
        .containsExactly(
            "user:first question",
            "assistant:tok0 tok1 tok2",
            "user:second question",
            "assistant:tok0 tok1");
    assertThat(stored.get("title").asText())
        .as("derived from the first user message")
        .isEqualTo("first question");
    assertThat(stored.get("message_count").asInt()).isEqualTo(4);
    assertThat(stored.at("/messages/1/metadata/engine_id").asText()).isEqualTo(engineId);

    // a request without a session is not touched and stores nothing
    String plain = "req-" + UUID.randomUUID();
    String plainBody = chat(MODEL, null, "no session here", false, 1);
    assertThat(
            send(gateway, "POST", "/v1/chat/completions", plainBody, "x-request-id", plain)
                .status())
        .isEqualTo(200);
    assertThat(engineReceived(gateway, engineId, plain)).isEqualTo(plainBody);
  }

  @Test
  void aStreamedReplyIsStoredWhole() throws Exception {
    String id = newSession(gateway, "streaming");
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(chat(MODEL, id, "stream it", true, 6)))
            .build();
    HttpResponse<String> response =
        Http.client().send(Http.withKey(request), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("data: [DONE]");

    JsonNode stored = awaitMessages(gateway, id, m -> m.size() == 2);
    assertThat(stored.at("/messages/1/role").asText()).isEqualTo("assistant");
    assertThat(stored.at("/messages/1/content").asText()).isEqualTo(tokens(6));
    assertThat(stored.at("/messages/1/metadata/stream").asBoolean()).isTrue();
    assertThat(stored.at("/messages/1/metadata/finish_reason").asText()).isEqualTo("length");
    assertThat(stored.get("title").asText()).as("a given title is kept").isEqualTo("streaming");
  }

  @Test
  void aCutStreamStoresTheUserTurnMarkedCutAndNoReply() throws Exception {
    String id = newSession(gateway, null);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    chat(SLOW_MODEL, id, "this gets cut", true, 200)))
            .build();
    HttpResponse<InputStream> response =
        Http.client().send(Http.withKey(request), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      assertThat(reader.readLine()).startsWith("data: ");
    }

    JsonNode stored = awaitMessages(gateway, id, m -> m.size() == 1);
    assertThat(stored.at("/messages/0/role").asText()).isEqualTo("user");
    assertThat(stored.at("/messages/0/content").asText()).isEqualTo("this gets cut");
    assertThat(stored.at("/messages/0/status").asText()).isEqualTo("cut");
    assertThat(stored.at("/messages/0/metadata/status").asText()).isEqualTo("cut");
    assertThat(stored.at("/messages/0/metadata/reason").asText()).isNotBlank();
    // a reply is stored only before the engine's answer completes; the cut mark is written when
    // the exchange has ended without that: once it is visible, nothing more is stored for it
    assertThat(session(gateway, id).get("messages")).as("no reply is stored").hasSize(1);
  }

  @Test
  void aFailedRequestStoresTheUserTurnMarkedFailedAndItIsNotReplayed() {
    String id = newSession(gateway, null);
    Http.Response failed =
        gateway.post("/v1/chat/completions", chat("no-such-model", id, "lost question", false, 2));
    assertOpenAiError(failed, 404, "model_not_found");
    JsonNode stored = awaitMessages(gateway, id, m -> m.size() == 1);
    assertThat(stored.at("/messages/0/status").asText()).isEqualTo("failed");
    assertThat(stored.at("/messages/0/metadata/status").asText()).isEqualTo("failed");
    assertThat(stored.at("/messages/0/metadata/http_status").asInt()).isEqualTo(404);
    assertThat(stored.at("/messages/0/metadata/reason").asText()).contains("no-such-model");

    String next = "req-" + UUID.randomUUID();
    Http.Response ok =
        send(
            gateway,
            "POST",
            "/v1/chat/completions",
            chat(MODEL, id, "next question", false, 1),
            "x-request-id",
            next);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(engineReceived(gateway, engineId, next))
        .doesNotContain("lost question")
        .contains("next question");
    awaitMessages(gateway, id, m -> m.size() == 3);
  }

  @Test
  void concurrentRequestsOnOneSessionKeepEachQuestionNextToItsReply() throws Exception {
    String id = newSession(gateway, "busy");
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Http.Response>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String body = chat(MODEL, id, "question " + i, i % 2 == 0, i + 1);
        futures.add(pool.submit(() -> gateway.post("/v1/chat/completions", body)));
      }
      for (Future<Http.Response> future : futures) {
        assertThat(future.get().status()).as(future.get().body()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    JsonNode stored = awaitMessages(gateway, id, m -> m.size() == 2 * n);
    JsonNode messages = stored.get("messages");
    long lastSeq = 0;
    List<String> questions = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      JsonNode question = messages.get(2 * k);
      JsonNode reply = messages.get(2 * k + 1);
      assertThat(question.get("role").asText()).isEqualTo("user");
      assertThat(reply.get("role").asText()).isEqualTo("assistant");
      int i = Integer.parseInt(question.get("content").asText().substring("question ".length()));
      questions.add(question.get("content").asText());
      assertThat(reply.get("content").asText())
          .as("reply next to question " + i)
          .isEqualTo(tokens(i + 1));
      assertThat(question.get("seq").asLong()).isGreaterThan(lastSeq);
      assertThat(reply.get("seq").asLong()).isGreaterThan(question.get("seq").asLong());
      lastSeq = reply.get("seq").asLong();
    }
    assertThat(questions).doesNotHaveDuplicates().hasSize(n);
    assertThat(stored.get("message_count").asInt()).isEqualTo(2 * n);
  }

  @Test
  void everyErrorIsOpenAiShaped() {
    String id = newSession(gateway, null);
    String missing = "sess-does-not-exist";
    assertOpenAiError(
        gateway.post("/v1/chat/completions", chat(MODEL, missing, "q", false, 1)),
        404,
        "not_found");
    assertOpenAiError(
        send(
            gateway,
            "POST",
            "/v1/chat/completions",
            chat(MODEL, null, "q", false, 1),
            "x-sage-session-id",
            missing),
        404,
        "not_found");
    assertOpenAiError(
        send(
            gateway,
            "POST",
            "/v1/chat/completions",
            chat(MODEL, id, "q", false, 1),
            "x-sage-session-id",
            newSession(gateway, null)),
        400,
        "invalid_request");
    assertOpenAiError(
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"" + MODEL + "\",\"session_id\":42," + "\"messages\":[]}"),
        400,
        "invalid_request");
    assertOpenAiError(
        gateway.post("/v1/chat/completions", "{\"session_id\":\"" + id + "\",\"messages\":["),
        400,
        "invalid_request");
    assertOpenAiError(
        gateway.post(
            "/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"session_id\":\"" + id + "\"}"),
        400,
        "invalid_request");
    assertOpenAiError(
        gateway.post("/v1/chat/completions", "{\"session_id\":\"" + id + "\",\"messages\":[]}"),
        400,
        "invalid_request");
    assertThat(session(gateway, id).get("messages"))
        .as("rejected requests store nothing")
        .isEmpty();

    for (String prefix : List.of("/sessions", "/v1/sessions")) {
      assertOpenAiError(gateway.get(prefix + "/" + missing), 404, "not_found");
      assertOpenAiError(gateway.delete(prefix + "/" + missing), 404, "not_found");
      assertOpenAiError(gateway.post(prefix + "/" + missing + "/clear", ""), 404, "not_found");
      assertOpenAiError(
          send(gateway, "PATCH", prefix + "/" + missing + "/title", "{\"title\":\"t\"}"),
          404,
          "not_found");
      assertOpenAiError(
          gateway.post(prefix, "{\"title\":\"" + "x".repeat(201) + "\"}"), 400, "invalid_request");
      assertOpenAiError(gateway.post(prefix, "{\"title\":\"  \"}"), 400, "invalid_request");
      assertOpenAiError(gateway.post(prefix, "{\"title\":7}"), 400, "invalid_request");
      assertOpenAiError(gateway.post(prefix, "{\"title\":"), 400, "invalid_request");
      assertOpenAiError(
          send(
              gateway,
              "PATCH",
              prefix + "/" + id + "/title",
              "{\"title\":\"" + "y".repeat(201) + "\"}"),
          400,
          "invalid_request");
      assertOpenAiError(
          send(gateway, "PATCH", prefix + "/" + id + "/title", "{}"), 400, "invalid_request");
      assertOpenAiError(
          send(gateway, "PATCH", prefix + "/" + id + "/title", "not json"), 400, "invalid_request");
      for (String age :
          List.of(
              "",
              "?max_age_minutes=0",
              "?max_age_minutes=-5",
              "?max_age_minutes=abc",
              "?max_age_minutes=1.5")) {
        assertOpenAiError(gateway.post(prefix + "/cleanup" + age, ""), 400, "invalid_request");
      }
    }
    Http.Response longest =
        send(
            gateway,
            "PATCH",
            "/v1/sessions/" + id + "/title",
            "{\"title\":\"" + "z".repeat(200) + "\"}");
    assertThat(longest.status()).as(longest.body()).isEqualTo(200);
    assertThat(session(gateway, id).get("title").asText()).hasSize(200);
  }

  @Test
  void sessionsSurviveAGatewayRestart(@TempDir Path ownDir) {
    Gateway first = Gateway.start(ownDir);
    Gateway second = null;
    try {
      String engine = first.startEngine(engine("restart-model", "\"log_requests\":true"));
      first.awaitState(engine, "READY", Duration.ofSeconds(60));
      String id = newSession(first, "kept");
      assertThat(
              first
                  .post(
                      "/v1/chat/completions", chat("restart-model", id, "before restart", false, 2))
                  .status())
          .isEqualTo(200);
      awaitMessages(first, id, m -> m.size() == 2);
      first.close();

      second = first.restart();
      JsonNode stored = session(second, id);
      assertThat(stored.get("title").asText()).isEqualTo("kept");
      assertThat(stored.get("messages")).hasSize(2);
      assertThat(stored.at("/messages/0/content").asText()).isEqualTo("before restart");
      assertThat(stored.at("/messages/1/content").asText()).isEqualTo("tok0 tok1");

      second.awaitState(engine, "READY", Duration.ofSeconds(60));
      String after = "req-" + UUID.randomUUID();
      Http.Response response =
          send(
              second,
              "POST",
              "/v1/chat/completions",
              chat("restart-model", id, "after restart", false, 1),
              "x-request-id",
              after);
      assertThat(response.status()).as(response.body()).isEqualTo(200);
      assertThat(engineReceived(second, engine, after))
          .contains("before restart", "tok0 tok1", "after restart");
      JsonNode now = awaitMessages(second, id, m -> m.size() == 4);
      assertThat(now.at("/messages/2/content").asText()).isEqualTo("after restart");
      assertThat(now.at("/messages/2/seq").asLong())
          .isGreaterThan(now.at("/messages/1/seq").asLong());
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
      assertThat(Leftovers.killAll(ownDir)).isZero();
    }
  }
}

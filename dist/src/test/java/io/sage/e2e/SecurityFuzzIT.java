package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Issue 9: malformed JSON, huge numbers, wrong types, odd unicode and very long strings thrown at
 * every route, with every kind of credential. Each answer must be a 4xx (or, where the junk only
 * sits in ignored places, a success) in the OpenAI error shape: never a 5xx, and the gateway keeps
 * serving. The inputs are built to be invalid, so nothing is ever launched.
 */
class SecurityFuzzIT {
  private static Path dataDir;
  private static Gateway gateway;
  private static String inferenceKey;

  @BeforeContainer
  static void start() throws IOException {
    dataDir = Files.createTempDirectory("sage-fuzz");
    gateway = Gateway.start(dataDir);
    Http.Response created =
        gateway.post("/v1/management/keys", "{\"name\":\"fuzz\",\"scope\":\"inference\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    inferenceKey = created.json().get("key").asText();
  }

  @AfterContainer
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir))
        .as("processes left: the fuzz launched something")
        .isZero();
  }

  @AfterProperty
  void stillServing() {
    assertThat(gateway.get("/health").status()).isEqualTo(200);
    assertThat(gateway.get("/v1/management/engines").json().get("count").asInt())
        .as("nothing launched")
        .isZero();
  }

  @Property(tries = 150)
  void inferenceRoutes(
      @ForAll("inferencePaths") String path,
      @ForAll("inferenceBodies") String body,
      @ForAll("credentials") String credential) {
    expect4xx(send("POST", path, body, credential));
  }

  @Property(tries = 150)
  void managementBodies(
      @ForAll("managementBodyRoutes") String route,
      @ForAll("credentials") String credential,
      @ForAll("junkValue") String junk,
      @ForAll("malformed") String malformed,
      @ForAll boolean wellFormed) {
    String body =
        switch (route) {
          case "/v1/management/keys" ->
              "{\"name\":" + junk + ",\"scope\":" + quote("x" + junk) + ",\"models\":" + junk + "}";
          case "/v1/management/engines/register" ->
              "{\"model\":"
                  + badModel(junk)
                  + ",\"base_url\":"
                  + junk
                  + ",\"api_key\":"
                  + junk
                  + "}";
          default ->
              "{\"model\":"
                  + badModel(junk)
                  + ",\"runtime\":\"mock\",\"port\":"
                  + junk
                  + ",\"gpu_ids\":"
                  + junk
                  + ",\"options\":"
                  + junk
                  + ",\"extra_args\":"
                  + junk
                  + ",\"tensor_parallel_size\":"
                  + junk
                  + "}";
        };
    expect4xx(send("POST", route, wellFormed ? body : malformed, credential));
  }

  @Property(tries = 150)
  void pathsAndQueries(
      @ForAll("pathTemplates") String template,
      @ForAll("junkText") String junk,
      @ForAll("credentials") String credential) {
    // the "z" keeps the segment from being empty (which could name the list route instead)
    String encoded = "z" + URLEncoder.encode(junk, StandardCharsets.UTF_8).replace("+", "%20");
    String[] parts = template.split(" ", 2);
    Http.Response response = send(parts[0], parts[1].replace("{}", encoded), null, credential);
    // junk in an ignored query parameter of a read-only route may well succeed; anything else must
    // not
    boolean readOnlyWithIgnoredJunk =
        parts[1].endsWith("?ignored={}") && "admin".equals(credential);
    if (readOnlyWithIgnoredJunk) {
      assertThat(response.status()).as(response.body()).isLessThan(500);
    } else {
      expect4xx(response);
    }
  }

  private static String badModel(String junk) {
    // a JSON value that is never a valid model name: a wrong type, or a string with a character
    // names cannot hold
    return junk.startsWith("\"") ? quote("\u00e9" + junk) : junk;
  }

  static void expect4xx(Http.Response response) {
    assertThat(response.status()).as(response.body()).isBetween(400, 499);
    JsonNode error = response.json().get("error");
    assertThat(error).as(response.body()).isNotNull();
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.has("type") && error.has("param") && error.has("code"))
        .as(response.body())
        .isTrue();
    assertThat(response.body()).doesNotContain("at io.").doesNotContain("Exception:");
  }

  private static Http.Response send(String method, String path, String body, String credential) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(gateway.url() + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    switch (credential) {
      case "admin" -> request.header("Authorization", "Bearer " + gateway.adminKey());
      case "inference" -> request.header("Authorization", "Bearer " + inferenceKey);
      case "garbage" -> request.header("Authorization", "Bearer sk-sage-\u00fc" + "0".repeat(30));
      default -> request.header("Authorization", "Bearer");
    }
    return Http.send(request);
  }

  static String quote(String text) {
    try {
      return Http.JSON.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Provide
  Arbitrary<String> credentials() {
    return Arbitraries.of("none", "admin", "inference", "garbage");
  }

  @Provide
  Arbitrary<String> inferencePaths() {
    return Arbitraries.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings");
  }

  @Provide
  Arbitrary<String> managementBodyRoutes() {
    return Arbitraries.of(
        "/v1/management/engines",
        "/v1/management/engines/start",
        "/v1/management/engines/register",
        "/v1/management/keys");
  }

  @Provide
  Arbitrary<String> pathTemplates() {
    return Arbitraries.of(
        "GET /v1/models/{}",
        "GET /v1/management/engines/{}",
        "GET /v1/management/engines/{}/events",
        "GET /v1/management/engines/{}/logs?tail=1",
        "GET /v1/management/audit?limit={}x",
        "GET /v1/management/audit?offset={}x",
        "GET /v1/management/status?ignored={}",
        "GET /v1/management/gpu?ignored={}",
        "POST /v1/management/engines/{}/stop",
        "POST /v1/management/engines/{}/restart",
        "DELETE /v1/management/engines/{}?purge=true",
        "DELETE /v1/management/keys/{}",
        "GET /v1/management/engines/{}x/logs?tail={}x",
        "GET /sessions/{}x",
        "DELETE /sessions/{}x",
        "GET /{}x");
  }

  @Provide
  Arbitrary<String> inferenceBodies() {
    Arbitrary<String> objects =
        Combinators.combine(
                junkValue(),
                junkValue(),
                junkValue(),
                Arbitraries.of("model", "messages", "stream", "max_tokens", "input", "session_id"))
            .as(
                (model, a, b, field) ->
                    "{\"model\":"
                        + model
                        + ",\""
                        + field
                        + "\":"
                        + a
                        + ",\"temperature\":"
                        + b
                        + "}");
    return Arbitraries.oneOf(objects, malformed());
  }

  /** A JSON value of a random, mostly wrong, type. */
  @Provide
  Arbitrary<String> junkValue() {
    return Arbitraries.oneOf(
        junkText().map(SecurityFuzzIT::quote),
        hugeNumbers(),
        Arbitraries.of(
            "true",
            "false",
            "null",
            "[]",
            "{}",
            "[1,\"a\",null]",
            "{\"a\":{\"b\":[]}}",
            "-0",
            "0.0"),
        Arbitraries.strings()
            .alpha()
            .ofMinLength(5000)
            .ofMaxLength(70000)
            .map(SecurityFuzzIT::quote));
  }

  @Provide
  Arbitrary<String> junkText() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings()
            .withChars("\u0000\u001f\u007f\u200b\u202e\ufeff\ud83d\ude00\u0301\u00e9/..\\%;$`")
            .ofMinLength(1)
            .ofMaxLength(30),
        Arbitraries.of(
            "../../etc/passwd",
            "%00",
            "%2e%2e%2f",
            "\"; rm -rf /",
            "$(id)",
            "`id`",
            "{{7*7}}",
            "\u202egnp.exe",
            "\ud800",
            "a\u0000b"));
  }

  @Provide
  Arbitrary<String> hugeNumbers() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "1e999999",
            "-1e999999",
            "1E+2147483648",
            "9".repeat(400),
            "-" + "9".repeat(400),
            "0." + "0".repeat(300) + "1",
            "123456789012345678901234567890",
            "2147483648",
            "-2147483649",
            "9223372036854775808",
            "1.7976931348623157E309"),
        Arbitraries.bigIntegers()
            .between(
                new java.math.BigInteger("-1" + "0".repeat(60)),
                new java.math.BigInteger("1" + "0".repeat(60)))
            .map(String::valueOf));
  }

  @Provide
  Arbitrary<String> malformed() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "",
            " ",
            "{",
            "}",
            "[",
            "{\"model\":",
            "{\"model\":\"x\"",
            "{'model':'x'}",
            "{\"model\":\"x\",}",
            "\ufeff{\"model\":\"x\"}",
            "{\"model\":\"x\"}{\"model\":\"y\"}",
            "null",
            "[]",
            "\"just a string\"",
            "{\"model\":\"x\",\"a\":NaN}",
            "{\"model\":\"\\ud800\"",
            "{\"model\":\"x\\u00\"}",
            "[".repeat(5000),
            "{\"a\":".repeat(3000) + "1" + "}".repeat(3000)),
        junkText());
  }
}

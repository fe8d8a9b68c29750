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
    // issue 19: bad input is the client's problem, never an ERROR or a stack trace in the log
    String log = gateway.log();
    assertThat(log).as("gateway log").doesNotContain(" ERROR ").doesNotContain("\tat io.");
  }

  /**
   * Issue 19: bodies compressed or framed otherwise (wrong or stacked Content-Encoding, chunked
   * framing with odd chunk sizes, Transfer-Encoding lists) sent as raw bytes: never a 5xx.
   */
  @Property(tries = 120)
  void compressedAndChunkedBodies(
      @ForAll("compressedRoutes") String path,
      @ForAll("contentEncodings") String encoding,
      @ForAll("framings") String framing,
      @ForAll("inferenceBodies") String json,
      @ForAll boolean compressForReal,
      @ForAll("credentials") String credential)
      throws IOException {
    byte[] plain = json.getBytes(StandardCharsets.UTF_8);
    byte[] payload = compressForReal ? compress(encoding, plain) : plain;
    StringBuilder head = new StringBuilder();
    head.append("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    head.append("Content-Type: application/json\r\nConnection: close\r\n");
    head.append(authorization(credential));
    if (!encoding.isEmpty()) {
      head.append("Content-Encoding: ").append(encoding).append("\r\n");
    }
    byte[] body;
    if (framing.equals("length")) {
      head.append("Content-Length: ").append(payload.length).append("\r\n");
      body = payload;
    } else {
      head.append("Transfer-Encoding: ").append(framing).append("\r\n");
      body = chunked(payload);
    }
    head.append("\r\n");
    String answer = raw(concat(head.toString().getBytes(StandardCharsets.US_ASCII), body));
    // a connection closed without an answer is a refusal too; an answer is never a 5xx
    if (!answer.isEmpty()) {
      assertThat(answer).as(answer).startsWith("HTTP/1.1 ");
      assertThat(answer.charAt(9)).as(answer).isNotEqualTo('5');
      assertThat(answer).doesNotContain("at io.").doesNotContain("Exception:");
    }
  }

  /** Issue 19: a key given twice is a 400 on every JSON route, whichever key it is. */
  @Property(tries = 60)
  void duplicateKeys(
      @ForAll("bodyRoutes") String path,
      @ForAll("duplicatedFields") String field,
      @ForAll("junkValue") String first,
      @ForAll("credentials") String credential) {
    String body =
        "{\"model\":\"m\",\"" + field + "\":" + first + ",\"" + field + "\":" + first + "}";
    if (field.equals("model")) {
      body = "{\"model\":\"a\",\"model\":\"m\"}";
    }
    Http.Response response = send("POST", path, body, credential);
    expect4xx(response);
  }

  /**
   * Issue 19: every mock option with junk values (infinite, huge, negative, wrong types); an
   * unknown option keeps each body invalid, so every value is parsed and nothing launches.
   */
  @Property(tries = 100)
  void optionValues(
      @ForAll("mockOptions") String option,
      @ForAll("optionJunk") String value,
      @ForAll("optionJunk") String other) {
    String body =
        "{\"model\":\"fuzz-options\",\"runtime\":\"mock\",\"options\":{\""
            + option
            + "\":"
            + value
            + ",\"gpu_memory_gb\":"
            + other
            + ",\"no_such_option\":1}}";
    expect4xx(send("POST", "/v1/management/engines", body, "admin"));
  }

  private static String authorization(String credential) {
    return switch (credential) {
      case "admin" -> "Authorization: Bearer " + gateway.adminKey() + "\r\n";
      case "inference" -> "Authorization: Bearer " + inferenceKey + "\r\n";
      case "garbage" -> "Authorization: Bearer sk-sage-" + "0".repeat(30) + "\r\n";
      default -> "";
    };
  }

  private static byte[] compress(String encoding, byte[] plain) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    if (encoding.startsWith("gzip")) {
      try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(out)) {
        gzip.write(plain);
      }
      return out.toByteArray();
    }
    if (encoding.startsWith("deflate")) {
      try (java.util.zip.DeflaterOutputStream deflate =
          new java.util.zip.DeflaterOutputStream(out)) {
        deflate.write(plain);
      }
      return out.toByteArray();
    }
    return plain;
  }

  private static byte[] chunked(byte[] payload) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int offset = 0;
    int size = 1;
    while (offset < payload.length) {
      int n = Math.min(size, payload.length - offset);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(payload, offset, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      offset += n;
      size = size * 3 + 1;
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static String raw(byte[] request) throws IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      try {
        socket.shutdownOutput();
        byte[] head = socket.getInputStream().readNBytes(4096);
        return new String(head, StandardCharsets.ISO_8859_1);
      } catch (java.net.SocketException e) {
        // the gateway closed the connection on the bad framing: no answer, no 5xx
        return "";
      }
    }
  }

  @Provide
  Arbitrary<String> bodyRoutes() {
    return Arbitraries.of(
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
        "/v1/management/engines",
        "/v1/management/engines/register",
        "/v1/management/keys",
        "/v1/sessions");
  }

  /** Routes whose well-formed bodies launch nothing (engine launches are covered elsewhere). */
  @Provide
  Arbitrary<String> compressedRoutes() {
    return Arbitraries.of(
        "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/sessions");
  }

  @Provide
  Arbitrary<String> contentEncodings() {
    return Arbitraries.of(
        "", "gzip", "deflate", "br", "zstd", "gzip, deflate", "x-garbage", "identity", "GZIP");
  }

  @Provide
  Arbitrary<String> framings() {
    return Arbitraries.of(
        "length", "chunked", "gzip, chunked", "deflate, chunked", "identity, chunked");
  }

  @Provide
  Arbitrary<String> duplicatedFields() {
    return Arbitraries.of("model", "messages", "stream", "name", "scope", "options", "session_id");
  }

  @Provide
  Arbitrary<String> mockOptions() {
    return Arbitraries.of(
        "latency_ms",
        "tokens_per_second",
        "embedding_dim",
        "fail_health_after_s",
        "exit_after_requests",
        "hang_after_s",
        "log_requests",
        "gpu_memory_gb");
  }

  @Provide
  Arbitrary<String> optionJunk() {
    return Arbitraries.oneOf(
        hugeNumbers(),
        Arbitraries.of(
            "1e999",
            "-1e999",
            "1e-999",
            "0.000000001",
            "-1",
            "0",
            "true",
            "\"\"",
            "\"NaN\"",
            "\"Infinity\"",
            "\"0x10\"",
            "\" 5 \"",
            "\"1e999\"",
            "\"9999999999999999999999\""),
        junkText().map(SecurityFuzzIT::quote));
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

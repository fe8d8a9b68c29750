package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: each finding of the attack report reproduced against the real gateway (started by
 * {@code bin/sage} under umask 022) with real mock engine processes, and refused.
 */
class HardeningIT {
  private static final String MODEL = "hard-chat";
  private static Path dataDir;
  private static Gateway gateway;
  private static String engineId;

  @BeforeAll
  static void start() throws IOException {
    dataDir = Files.createTempDirectory("sage-hardening");
    gateway =
        Gateway.start(
            dataDir,
            Map.of(
                Sage.UMASK,
                "022",
                "SAGE_HTTP_ALLOWED_HOSTS",
                "gpu-box.example",
                "SAGE_SESSIONS_MAX_MESSAGE_BYTES",
                "2000",
                "SAGE_SESSIONS_MAX_HISTORY_BYTES",
                "3000",
                "SAGE_LIMITS_STALL_TIMEOUT",
                "3s",
                "SAGE_VLLM_ALLOWED_COMMANDS",
                "/opt/vllm/bin/vllm",
                "SAGE_VLLM_REFUSE_RISKY_FLAGS",
                "true"));
    engineId =
        gateway.startEngine(
            "{\"model\":\"" + MODEL + "\",\"runtime\":\"mock\",\"options\":{\"latency_ms\":1}}");
    gateway.awaitState(engineId, "READY", Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    assertThat(Leftovers.killAll(dataDir)).as("processes left behind").isZero();
  }

  static Http.Response send(String method, String path, String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(gateway.url() + path))
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

  static String chat(String model) {
    return "{\"model\":\""
        + model
        + "\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  static void assertError(Http.Response response, int status, String code) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.json().at("/error/code").asText()).as(response.body()).isEqualTo(code);
    assertThat(response.json().at("/error/message").asText()).isNotBlank();
  }

  /** Raw bytes on a socket (for framing the JDK client refuses to send); returns the answer. */
  static String raw(byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      socket.shutdownOutput();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  static int errorLines() {
    return (int) gateway.log().lines().filter(line -> line.contains(" ERROR ")).count();
  }

  // 1. DNS rebinding ---------------------------------------------------------------------------

  @Test
  void aForeignHostOrOriginIsRefusedBeforeAnythingElse() {
    String session = SessionsIT.newSession(gateway, "private");
    // the JDK client sets Host itself: a raw request carries the attacker's name
    String answer;
    try {
      answer =
          raw(
              ("GET /v1/sessions HTTP/1.1\r\nHost: rebind.attacker.example:"
                      + gateway.port()
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertThat(answer)
        .startsWith("HTTP/1.1 403")
        .contains("host_not_allowed")
        .doesNotContain(session);
    for (String allowed : List.of("localhost", "127.0.0.1", "[::1]", "gpu-box.example")) {
      String ok;
      try {
        ok =
            raw(
                ("GET /health HTTP/1.1\r\nHost: "
                        + allowed
                        + ":"
                        + gateway.port()
                        + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      assertThat(ok).as(allowed).startsWith("HTTP/1.1 200");
    }
    // a page on another origin cannot call it either (a CORS refusal with a body)
    Http.Response crossOrigin =
        send("POST", "/v1/chat/completions", chat(MODEL), "Origin", "http://evil.example");
    assertError(crossOrigin, 403, "origin_not_allowed");
    Http.Response sameOrigin =
        send("POST", "/v1/chat/completions", chat(MODEL), "Origin", gateway.url());
    assertThat(sameOrigin.status()).as(sameOrigin.body()).isEqualTo(200);
  }

  // 2. Files and secrets at rest ----------------------------------------------------------------

  @Test
  void theDataDirIsPrivateAndStoredSecretsAreEncryptedWithARotatableKey() throws Exception {
    String upstreamKey = "sk-upstream-" + "Q7x".repeat(10);
    try (EchoEngine echo = EchoEngine.start("files-remote")) {
      Http.Response registered =
          gateway.post(
              "/v1/management/engines/register",
              "{\"model\":\"files-remote\",\"base_url\":\""
                  + echo.url()
                  + "\",\"api_key\":\""
                  + upstreamKey
                  + "\"}");
      assertThat(registered.status()).as(registered.body()).isEqualTo(201);
      String remoteId = registered.json().get("id").asText();
      gateway.awaitState(remoteId, "READY", Duration.ofSeconds(30));
      assertThat(echo.lastAuthorization()).isEqualTo("Bearer " + upstreamKey);

      // the mock engine's own key, as the engine process got it
      String engineKey = engineKeyOf(gateway.engine(engineId).get("pid").asLong());
      assertThat(engineKey).startsWith("sk-engine-");

      assertThat(send("POST", "/v1/chat/completions", chat(MODEL)).status()).isEqualTo(200);
      awaitFile(dataDir.resolve("logs/access.log"));

      assertPrivate(dataDir);
      byte[] database = Files.readAllBytes(dataDir.resolve("sage.mv.db"));
      String text = new String(database, StandardCharsets.ISO_8859_1);
      assertThat(text).doesNotContain(upstreamKey).doesNotContain(engineKey);
      assertThat(text).contains("enc1:");

      String before = Files.readString(dataDir.resolve("secret.key"));
      Sage.Result rotated =
          Sage.run(
              Map.of(),
              "keys",
              "rotate-secret",
              "--gateway",
              gateway.url(),
              "--api-key",
              gateway.adminKey());
      assertThat(rotated.exitCode()).as(rotated.all()).isZero();
      assertThat(rotated.stdout()).contains("re-encrypted with new key");
      String after = Files.readString(dataDir.resolve("secret.key"));
      assertThat(after).isNotEqualTo(before);
      assertThat(after.lines().filter(l -> !l.startsWith("#")).count()).isEqualTo(1);
      assertThat(Files.getPosixFilePermissions(dataDir.resolve("secret.key")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      // the rotated secrets decrypt: an engine key read back from the database still works
      Http.Response listed = gateway.get("/v1/management/engines/" + remoteId);
      assertThat(listed.body()).doesNotContain(upstreamKey);
      gateway.delete("/v1/management/engines/" + remoteId + "?drain=false&wait=true");
    }
  }

  static String engineKeyOf(long pid) throws IOException {
    byte[] environ = Files.readAllBytes(Path.of("/proc/" + pid + "/environ"));
    for (String variable : new String(environ, StandardCharsets.UTF_8).split("\u0000")) {
      if (variable.startsWith("SAGE_ENGINE_API_KEY=")) {
        return variable.substring("SAGE_ENGINE_API_KEY=".length());
      }
    }
    throw new AssertionError("engine " + pid + " has no SAGE_ENGINE_API_KEY");
  }

  static void awaitFile(Path file) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!Files.exists(file) && System.nanoTime() < deadline) {
      Gateway.sleep(50);
    }
    assertThat(file).exists();
  }

  static void assertPrivate(Path root) throws IOException {
    assertThat(Files.getPosixFilePermissions(root))
        .as(root.toString())
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    List<String> loose = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path path : all.toList()) {
        String mode =
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(path, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        if (!mode.endsWith("------")) {
          loose.add(mode + " " + root.relativize(path));
        }
      }
    }
    assertThat(loose).as("files other users can read").isEmpty();
    assertThat(Files.getPosixFilePermissions(root.resolve("sage.mv.db")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  // 3. Session memory amplification -------------------------------------------------------------

  @Test
  void sessionsCapTheirMessagesAndTheHistoryTheyReplay() {
    String session = SessionsIT.newSession(gateway, "caps");
    Http.Response tooBig =
        send(
            "POST",
            "/v1/chat/completions",
            SessionsIT.chat(MODEL, session, "x".repeat(2500), false, 2));
    assertError(tooBig, 400, "payload_too_large");
    assertThat(SessionsIT.session(gateway, session).get("messages")).isEmpty();

    // 200 five-byte words a turn (1,000 bytes): three turns are more history than 3,000 bytes
    String words = SessionsIT.tokens(200).replaceAll("tok\\d+", "word");
    int maxPrompt = 0;
    for (int turn = 1; turn <= 5; turn++) {
      Http.Response answer =
          send("POST", "/v1/chat/completions", SessionsIT.chat(MODEL, session, words, false, 2));
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      maxPrompt = Math.max(maxPrompt, answer.json().at("/usage/prompt_tokens").asInt());
      int stored = 2 * turn;
      SessionsIT.awaitMessages(gateway, session, m -> m.size() == stored);
    }
    // at most ~3,000 bytes of history (two earlier turns and their replies) plus this turn
    assertThat(maxPrompt).isLessThanOrEqualTo(3 * 200 + 20);

    // the gateway's heap is bounded by default
    assertThat(commandLine(gateway.pid())).contains("-Xmx1g");
  }

  static String commandLine(long pid) {
    try {
      return new String(
              Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
          .replace('\u0000', ' ');
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  // 4. Loops through the gateway ----------------------------------------------------------------

  @Test
  void baseUrlsThatSpellTheGatewayOtherwiseAreRefused() {
    int before = gateway.get("/v1/management/engines").json().get("count").asInt();
    for (String url :
        List.of(
            "http://2130706433:" + gateway.port(),
            "http://[::ffff:127.0.0.1]:" + gateway.port(),
            "http://localhost.:" + gateway.port(),
            "http://[::1]:" + gateway.port())) {
      Http.Response refused =
          gateway.post(
              "/v1/management/engines/register",
              "{\"model\":\"loop\",\"base_url\":\"" + url + "\"}");
      assertError(refused, 400, "invalid_request");
      assertThat(refused.body()).as(url).contains("this gateway itself");
    }
    Http.Response badPort =
        gateway.post(
            "/v1/management/engines/register",
            "{\"model\":\"loop\",\"base_url\":\"http://127.0.0.1:99999\"}");
    assertError(badPort, 400, "invalid_request");
    assertThat(badPort.body()).contains("port must be between 1 and 65535");
    assertThat(gateway.get("/v1/management/engines").json().get("count").asInt()).isEqualTo(before);
  }

  @Test
  void aRequestThatComesBackThroughAnotherGatewayEndsWith508() throws IOException {
    // B is bound to "::" (the CLI used to fail on that address); A and B register each other
    Path otherDir = Files.createTempDirectory("sage-loop");
    Gateway other = Gateway.start(otherDir, "--host", "::");
    try {
      String loopEngine =
          gateway.startEngine("{\"model\":\"loop-model\",\"runtime\":\"mock\",\"options\":{}}");
      gateway.awaitState(loopEngine, "READY", Duration.ofSeconds(60));
      Http.Response bToA =
          other.post(
              "/v1/management/engines/register",
              "{\"model\":\"loop-model\",\"base_url\":\"" + gateway.url() + "\"}");
      assertThat(bToA.status()).as(bToA.body()).isEqualTo(201);
      other.awaitState(bToA.json().get("id").asText(), "READY", Duration.ofSeconds(30));
      Http.Response aToB =
          gateway.post(
              "/v1/management/engines/register",
              "{\"model\":\"loop-model\",\"base_url\":\""
                  + other.url()
                  + "\",\"api_key\":\""
                  + other.adminKey()
                  + "\"}");
      assertThat(aToB.status()).as(aToB.body()).isEqualTo(201);
      String aToBId = aToB.json().get("id").asText();
      gateway.awaitState(aToBId, "READY", Duration.ofSeconds(30));
      // only the path through B is left
      Http.Response stopped =
          gateway.delete("/v1/management/engines/" + loopEngine + "?drain=false&wait=true");
      assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);

      Http.Response looped = send("POST", "/v1/chat/completions", chat("loop-model"));
      assertError(looped, 508, "loop_detected");
      assertThat(looped.header("x-sage-engine-id")).isEqualTo(aToBId);
      gateway.delete("/v1/management/engines/" + aToBId + "?drain=false&wait=true");
    } finally {
      other.close();
      assertThat(Leftovers.killAll(otherDir)).isZero();
    }
  }

  // 5. Engine keys, masked bodies, dropped headers ----------------------------------------------

  @Test
  void anEngineErrorThatEchoesTheKeyIsMaskedAndItsCookiesAreDropped() {
    String upstreamKey = "sk-upstream-" + "M4s".repeat(10);
    try (EchoEngine echo = EchoEngine.start("echo-remote")) {
      Http.Response registered =
          gateway.post(
              "/v1/management/engines/register",
              "{\"model\":\"echo-remote\",\"base_url\":\""
                  + echo.url()
                  + "\",\"api_key\":\""
                  + upstreamKey
                  + "\"}");
      assertThat(registered.status()).as(registered.body()).isEqualTo(201);
      String id = registered.json().get("id").asText();
      gateway.awaitState(id, "READY", Duration.ofSeconds(30));

      Http.Response answer = send("POST", "/v1/chat/completions", chat("echo-remote"));
      assertThat(answer.status()).as(answer.body()).isEqualTo(400);
      assertThat(echo.lastAuthorization()).isEqualTo("Bearer " + upstreamKey);
      assertThat(echo.lastHop()).startsWith("gw-");
      assertThat(answer.body()).doesNotContain(upstreamKey).contains("Bearer ****");
      assertThat(answer.header("Set-Cookie")).isNull();
      assertThat(answer.header("WWW-Authenticate")).isNull();
      assertThat(answer.header("X-Sage-Engine-Note")).isNull();
      assertThat(answer.header("X-Engine-Note")).isEqualTo("kept");
      gateway.delete("/v1/management/engines/" + id + "?drain=false&wait=true");
    }
  }

  // 6. Input errors are 400s --------------------------------------------------------------------

  @Test
  void inputThatUsedToAnswer500IsA400() throws IOException {
    int errorsBefore = errorLines();
    Http.Response infinite =
        gateway.post(
            "/v1/management/engines",
            "{\"model\":\"m\",\"runtime\":\"mock\",\"options\":{\"latency_ms\":1e999}}");
    assertError(infinite, 400, "invalid_request");
    byte[] garbage = new byte[200];
    new java.util.Random(19).nextBytes(garbage);
    for (String framing :
        List.of(
            "Content-Encoding: deflate\r\nContent-Length: " + garbage.length,
            "Content-Encoding: gzip\r\nContent-Length: " + garbage.length)) {
      String answer =
          raw(
              concat(
                  ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          + "Content-Type: application/json\r\nConnection: close\r\n"
                          + framing
                          + "\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII),
                  garbage));
      assertThat(answer).as(framing).startsWith("HTTP/1.1 400").contains("\"error\"");
    }
    byte[] chunk =
        concat(
            Integer.toHexString(garbage.length).getBytes(StandardCharsets.US_ASCII),
            "\r\n".getBytes(StandardCharsets.US_ASCII),
            garbage,
            "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    String chunked =
        raw(
            concat(
                ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/json\r\nConnection: close\r\n"
                        + "Transfer-Encoding: gzip, chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII),
                chunk));
    assertThat(chunked).startsWith("HTTP/1.1 4").doesNotStartWith("HTTP/1.1 5");
    assertThat(errorLines()).as(gateway.log()).isEqualTo(errorsBefore);
    assertThat(gateway.get("/health").status()).isEqualTo(200);
  }

  static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  // 7. Logs an attacker can grow ----------------------------------------------------------------

  @Test
  void disconnectsAndHugeValuesDoNotGrowTheLogs() throws IOException {
    int errorsBefore = errorLines();
    long logBefore = Files.size(dataDir.resolve("logs/gateway.log"));
    for (int i = 0; i < 30; i++) {
      try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
        socket
            .getOutputStream()
            .write(
                ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                        + "{\"model\":\"")
                    .getBytes(StandardCharsets.US_ASCII));
      }
    }
    // the 4 MB model name: cut in the 404 and in the access log
    String huge = "m".repeat(4 * 1024 * 1024);
    Path accessLog = dataDir.resolve("logs/access.log");
    awaitSomeAccessLog(accessLog);
    long accessBefore = Files.size(accessLog);
    Http.Response notFound = send("POST", "/v1/chat/completions", chat(huge));
    assertError(notFound, 404, "model_not_found");
    assertThat(notFound.body().length()).isLessThan(4096);
    // the next request's line shows the huge one was written (the writer keeps order)
    assertThat(send("POST", "/v1/chat/completions", chat(MODEL)).status()).isEqualTo(200);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!Files.readString(accessLog).contains("mmmm...(") && System.nanoTime() < deadline) {
      Gateway.sleep(50);
    }
    assertThat(Files.size(accessLog) - accessBefore).isLessThan(8 * 1024);
    assertThat(errorLines()).as(gateway.log()).isEqualTo(errorsBefore);
    assertThat(Files.size(dataDir.resolve("logs/gateway.log")) - logBefore).isLessThan(8 * 1024);
  }

  static void awaitSomeAccessLog(Path accessLog) {
    if (!Files.exists(accessLog)) {
      assertThat(send("POST", "/v1/chat/completions", chat(MODEL)).status()).isEqualTo(200);
      awaitFile(accessLog);
    }
  }

  // 8. The smaller ones -------------------------------------------------------------------------

  @Test
  void optionsNeedsAKeyAndCannotListRoutes() {
    for (String path : List.of("/v1/management/engines", "/v1/management/nothing-here", "/zz")) {
      Http.Response options =
          Http.send(
              HttpRequest.newBuilder(URI.create(gateway.url() + path))
                  .header("Authorization", "Bearer")
                  .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
      assertError(options, 401, "invalid_api_key");
    }
  }

  @Test
  void duplicateKeysAndTrailingBytesAreRefused() {
    String limited =
        gateway
            .post(
                "/v1/management/keys",
                "{\"name\":\"only-hard\",\"scope\":\"inference\",\"models\":[\"" + MODEL + "\"]}")
            .json()
            .get("key")
            .asText();
    Http.Response duplicate =
        send(
            "POST",
            "/v1/chat/completions",
            "{\"model\":\"other\",\"model\":\"" + MODEL + "\",\"messages\":[]}",
            "Authorization",
            "Bearer " + limited);
    assertError(duplicate, 400, "invalid_request");
    assertThat(duplicate.body()).contains("Duplicate field 'model'");
    Http.Response trailing = send("POST", "/v1/chat/completions", chat(MODEL) + " trailing");
    assertError(trailing, 400, "invalid_request");
    Http.Response managementDuplicate =
        gateway.post("/v1/management/keys", "{\"name\":\"a\",\"name\":\"b\",\"scope\":\"admin\"}");
    assertError(managementDuplicate, 400, "invalid_request");
    Http.Response managementTrailing =
        gateway.post("/v1/management/keys", "{\"name\":\"a\",\"scope\":\"admin\"} {}");
    assertError(managementTrailing, 400, "invalid_request");
  }

  @Test
  void oversizedHeadersGet431AndTheBodyLimitIsTheDocumentedOne() {
    Http.Response headers = send("GET", "/health", null, "X-Big", "a".repeat(40_000));
    assertError(headers, 431, "headers_too_large");
    // docs/security.md: bodies up to 10 MiB pass, larger get 413
    Http.Response large =
        send("POST", "/v1/chat/completions", chat("x".repeat(10 * 1024 * 1024 - 200)));
    assertError(large, 404, "model_not_found");
    Http.Response tooLarge =
        send("POST", "/v1/chat/completions", chat("x".repeat(10 * 1024 * 1024 + 10)));
    assertError(tooLarge, 413, "payload_too_large");
  }

  @Test
  void theOperatorCanNarrowWhatAdminsMayLaunch() {
    Http.Response shell =
        gateway.post(
            "/v1/management/engines",
            "{\"model\":\"org/m\",\"runtime\":\"vllm\",\"use_gpu\":false,\"options\":{\"vllm_command\":\"/bin/sh\"}}");
    assertThat(shell.status()).as(shell.body()).isEqualTo(400);
    assertThat(shell.body()).contains("SAGE_VLLM_ALLOWED_COMMANDS");
    Http.Response remoteCode =
        gateway.post(
            "/v1/management/engines",
            "{\"model\":\"org/m\",\"runtime\":\"vllm\",\"use_gpu\":false,\"extra_args\":[\"--trust-remote-code\"]}");
    assertThat(remoteCode.status()).as(remoteCode.body()).isEqualTo(400);
    assertThat(remoteCode.body()).contains("--trust-remote-code");
    Http.Response localPath =
        gateway.post(
            "/v1/management/engines",
            "{\"model\":\"/etc/passwd\",\"runtime\":\"vllm\",\"use_gpu\":false}");
    assertThat(localPath.status()).as(localPath.body()).isEqualTo(400);
  }

  @Test
  void tinyGpuMemoryFiguresAreRefused() {
    Http.Response tiny =
        gateway.post(
            "/v1/management/engines",
            "{\"model\":\"m\",\"runtime\":\"mock\",\"options\":{\"gpu_memory_gb\":\"0.000000001\"}}");
    assertThat(tiny.status()).as(tiny.body()).isEqualTo(400);
    assertThat(tiny.body()).contains("gpu_memory_gb");
  }

  @Test
  void aPurgedEngineLeavesNoFolderBehind() {
    String id = gateway.startEngine("{\"model\":\"purge-me\",\"runtime\":\"mock\",\"options\":{}}");
    gateway.awaitState(id, "READY", Duration.ofSeconds(60));
    Path folder = dataDir.resolve("engines").resolve(id);
    assertThat(folder.resolve("engine.log")).exists();
    Http.Response stopped =
        gateway.delete("/v1/management/engines/" + id + "?drain=false&wait=true");
    assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
    Http.Response purged = gateway.delete("/v1/management/engines/" + id + "?purge=true");
    assertThat(purged.status()).as(purged.body()).isEqualTo(200);
    assertThat(folder).doesNotExist();
  }

  @Test
  void aClientThatStopsReadingGivesItsSlotBack() throws Exception {
    // a long stream, and a client that reads its headers and then nothing
    String body =
        "{\"model\":\""
            + MODEL
            + "\",\"stream\":true,\"max_tokens\":200000,\"messages\":[{\"role\":\"user\",\"content\":\""
            + "word ".repeat(50)
            + "\"}]}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (Socket stalled = new Socket("127.0.0.1", gateway.port())) {
      stalled.setReceiveBufferSize(4096);
      stalled
          .getOutputStream()
          .write(
              concat(
                  ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          + "Content-Type: application/json\r\nContent-Length: "
                          + bytes.length
                          + "\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII),
                  bytes));
      InputStream in = stalled.getInputStream();
      in.read(new byte[64]);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int inFlight = -1;
      while (System.nanoTime() < deadline) {
        inFlight = gateway.engine(engineId).path("active_requests").asInt(-1);
        if (inFlight == 0) {
          break;
        }
        Gateway.sleep(200);
      }
      // the stall timeout (3 s here) ended the response although the socket is still open
      assertThat(inFlight).as(gateway.engine(engineId).toString()).isZero();
    }
  }

  /**
   * A remote "engine" in this JVM that answers the probes and, for chat, a 400 that echoes the
   * Authorization it got, with a cookie and headers a client must not see.
   */
  static final class EchoEngine implements AutoCloseable {
    private final HttpServer server;
    private volatile String lastAuthorization;
    private volatile String lastHop;

    private EchoEngine(HttpServer server) {
      this.server = server;
    }

    static EchoEngine start(String model) {
      try {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        EchoEngine engine = new EchoEngine(server);
        server.createContext(
            "/health",
            exchange -> {
              engine.lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
              answer(exchange, 200, "{}");
            });
        server.createContext(
            "/v1/models",
            exchange ->
                answer(
                    exchange,
                    200,
                    "{\"object\":\"list\",\"data\":[{\"id\":\""
                        + model
                        + "\",\"object\":\"model\"}]}"));
        server.createContext(
            "/v1/chat/completions",
            exchange -> {
              exchange.getRequestBody().readAllBytes();
              String authorization = exchange.getRequestHeaders().getFirst("Authorization");
              engine.lastAuthorization = authorization;
              engine.lastHop = exchange.getRequestHeaders().getFirst("x-sage-hop");
              exchange.getResponseHeaders().add("Set-Cookie", "engine-session=secret; Path=/");
              exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=engine");
              exchange.getResponseHeaders().add("X-Sage-Engine-Note", "spoofed");
              exchange.getResponseHeaders().add("X-Engine-Note", "kept");
              answer(
                  exchange,
                  400,
                  "{\"error\":{\"message\":\"rejected credentials: "
                      + authorization
                      + "\",\"type\":\"invalid_request_error\"}}");
            });
        server.start();
        return engine;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
        throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String lastAuthorization() {
      return lastAuthorization;
    }

    String lastHop() {
      return lastHop;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}

package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sage.spi.engine.HealthProbe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP prober against a local server that answers what each test says. */
class ProbeClientTest {
  private static final HealthProbe HEALTH_ONLY = new HealthProbe("/health", false);
  private static final HealthProbe WITH_MODELS = new HealthProbe("/health", true);

  /** status and body per path; a path not set answers 404 */
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private ExecutorService executor;
  private HttpServer server;
  private String baseUrl;

  record Answer(int status, String body, boolean hang) {}

  @BeforeEach
  void setUp() throws IOException {
    executor = Executors.newCachedThreadPool();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
    baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    seen.add(exchange.getRequestMethod() + " " + path + " " + auth);
    Answer answer = answers.getOrDefault(path, new Answer(404, "", false));
    if (answer.hang()) {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }

  private ProbeResult probe(HealthProbe probe, String apiKey) throws Exception {
    return probe(Duration.ofSeconds(5), baseUrl, probe, apiKey);
  }

  private ProbeResult probe(Duration timeout, String url, HealthProbe probe, String apiKey)
      throws Exception {
    return new ProbeClient(timeout, executor)
        .probe(url, probe, "served-m", apiKey)
        .get(10, TimeUnit.SECONDS);
  }

  private void models(String body) {
    answers.put("/v1/models", new Answer(200, body, false));
  }

  @Test
  void a200OnTheHealthPathPassesWithTheEngineKeySent() throws Exception {
    answers.put("/health", new Answer(200, "", false));
    assertThat(probe(HEALTH_ONLY, "sk-engine")).isEqualTo(ProbeResult.passed());
    assertThat(seen).containsExactly("GET /health Bearer sk-engine");
  }

  @Test
  void withoutAKeyNoAuthorizationIsSent() throws Exception {
    answers.put("/health", new Answer(200, "", false));
    assertThat(probe(HEALTH_ONLY, null).ok()).isTrue();
    assertThat(probe(HEALTH_ONLY, "").ok()).isTrue();
    assertThat(seen).containsExactly("GET /health null", "GET /health null");
  }

  @Test
  void anotherStatusFailsNamingThePathAndStatus() throws Exception {
    answers.put("/health", new Answer(503, "starting", false));
    assertThat(probe(WITH_MODELS, "k")).isEqualTo(ProbeResult.failed("/health answered 503"));
    assertThat(seen).hasSize(1); // /v1/models is not asked when /health fails
  }

  @Test
  void theRuntimesOwnHealthPathIsUsed() throws Exception {
    answers.put("/ping", new Answer(200, "", false));
    assertThat(probe(new HealthProbe("/ping", false), "k").ok()).isTrue();
    assertThat(probe(HEALTH_ONLY, "k")).isEqualTo(ProbeResult.failed("/health answered 404"));
  }

  @Test
  void theServedModelMustBeListedWhenRequired() throws Exception {
    answers.put("/health", new Answer(200, "", false));
    models("{\"object\":\"list\",\"data\":[{\"id\":\"other\"},{\"id\":\"served-m\"}]}");
    assertThat(probe(WITH_MODELS, "k")).isEqualTo(ProbeResult.passed());
    assertThat(seen).containsExactly("GET /health Bearer k", "GET /v1/models Bearer k");
  }

  @Test
  void aModelListWithoutTheServedNameFails() throws Exception {
    answers.put("/health", new Answer(200, "", false));
    models("{\"data\":[{\"id\":\"served-m-v2\"},{\"name\":\"served-m\"}]}");
    assertThat(probe(WITH_MODELS, "k"))
        .isEqualTo(ProbeResult.failed("/v1/models does not list 'served-m'"));
    models("{\"data\":[]}");
    assertThat(probe(WITH_MODELS, "k").detail()).isEqualTo("/v1/models does not list 'served-m'");
    models("{}");
    assertThat(probe(WITH_MODELS, "k").detail()).isEqualTo("/v1/models does not list 'served-m'");
  }

  @Test
  void aFailingOrMalformedModelListFails() throws Exception {
    answers.put("/health", new Answer(200, "", false));
    answers.put("/v1/models", new Answer(500, "oops", false));
    assertThat(probe(WITH_MODELS, "k")).isEqualTo(ProbeResult.failed("/v1/models answered 500"));
    models("{not json");
    assertThat(probe(WITH_MODELS, "k"))
        .isEqualTo(ProbeResult.failed("/v1/models answered malformed JSON"));
  }

  @Test
  void theModelListIsNotAskedWhenNotRequired() throws Exception {
    answers.put("/health", new Answer(200, "", false));
    models("{not json");
    assertThat(probe(HEALTH_ONLY, "k").ok()).isTrue();
    assertThat(seen).containsExactly("GET /health Bearer k");
  }

  @Test
  void aPortNobodyListensOnIsConnectionRefused() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    assertThat(probe(Duration.ofSeconds(5), "http://127.0.0.1:" + port, HEALTH_ONLY, "k"))
        .isEqualTo(ProbeResult.failed("connection refused"));
  }

  @Test
  void anUnparsableEngineUrlIsAFailedProbeNotAThrow() throws Exception {
    ProbeResult result = probe(Duration.ofSeconds(5), "http://bad host:1", HEALTH_ONLY, "k");
    assertThat(result.ok()).isFalse();
    assertThat(result.detail()).startsWith("invalid engine URL 'http://bad host:1/health'");
    assertThat(seen).isEmpty();
  }

  @Test
  void anEngineThatDoesNotAnswerInTimeTimesOut() throws Exception {
    answers.put("/health", new Answer(200, "", true));
    assertThat(probe(Duration.ofMillis(300), baseUrl, HEALTH_ONLY, "k"))
        .isEqualTo(ProbeResult.failed("timed out"));
  }

  @Test
  void otherErrorsAreDescribedByTheirTypeAndMessage() throws Exception {
    // a peer that accepts and hangs up without a word: neither a timeout nor a refusal
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread hangUp =
          new Thread(
              () -> {
                try {
                  while (true) { // the client may retry a GET once
                    silent.accept().close();
                  }
                } catch (IOException ignored) {
                  // the test closed the socket
                }
              });
      hangUp.start();
      ProbeResult result =
          probe(
              Duration.ofSeconds(5), "http://127.0.0.1:" + silent.getLocalPort(), HEALTH_ONLY, "k");
      assertThat(result.ok()).isFalse();
      assertThat(result.detail()).startsWith("IOException").isNotEqualTo("connection refused");
    } // closing the socket ends the accepting thread
  }
}

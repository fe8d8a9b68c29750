package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A real gateway process started through {@code bin/sage gateway start} on a free port and its own
 * data dir; {@link #close()} stops it (and its engines) and kills anything left.
 */
public final class Gateway implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private final List<String> extraArgs;
  private final Map<String, String> env;
  private final String host;
  private final List<String> prefix;
  private long pid;

  private Gateway(Path dataDir, int port, Map<String, String> env, List<String> extraArgs) {
    this(dataDir, "127.0.0.1", port, List.of(), env, extraArgs);
  }

  private Gateway(
      Path dataDir,
      String host,
      int port,
      List<String> prefix,
      Map<String, String> env,
      List<String> extraArgs) {
    this.dataDir = dataDir;
    this.host = host;
    this.port = port;
    this.prefix = prefix;
    this.env = env;
    this.extraArgs = extraArgs;
  }

  public static Gateway start(Path dataDir, String... extraArgs) {
    return start(dataDir, Map.of(), extraArgs);
  }

  /** Starts a gateway whose environment adds {@code env} (e.g. SAGE_HEALTH_INTERVAL=500ms). */
  public static Gateway start(Path dataDir, Map<String, String> env, String... extraArgs) {
    Gateway gateway = new Gateway(dataDir, Ports.free(), env, List.of(extraArgs));
    gateway.startProcess();
    return gateway;
  }

  /**
   * Starts a gateway on another test host: {@code bin/sage gateway start --host host} run under
   * {@code prefix} (e.g. {@code ip netns exec <ns>}, see {@link NetnsHosts}).
   */
  public static Gateway startOn(
      List<String> prefix,
      String host,
      int port,
      Path dataDir,
      Map<String, String> env,
      String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("--host", host));
    args.addAll(List.of(extraArgs));
    Gateway gateway = new Gateway(dataDir, host, port, List.copyOf(prefix), env, args);
    gateway.startProcess();
    return gateway;
  }

  /** Starts a gateway again on the same data dir and port (after a stop or a kill -9). */
  public Gateway restart() {
    Gateway again = new Gateway(dataDir, host, port, prefix, env, extraArgs);
    again.startProcess();
    return again;
  }

  private void startProcess() {
    List<String> args =
        new ArrayList<>(
            List.of(
                "gateway",
                "start",
                "--port",
                Integer.toString(port),
                "--data-dir",
                dataDir.toString()));
    args.addAll(extraArgs);
    Sage.Result result = Sage.runIn(prefix, env, 180, args.toArray(String[]::new));
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          "gateway start failed (" + result.exitCode() + "): " + result.all() + "\nlog:\n" + log());
    }
    try {
      pid = Long.parseLong(Files.readString(dataDir.resolve("gateway.pid")).trim());
    } catch (IOException e) {
      throw new IllegalStateException("no pid file after start: " + result.all(), e);
    }
    Http.useKey(url(), adminKey());
  }

  /** The admin key the gateway wrote to {@code <data-dir>/admin.key} at its first start. */
  public String adminKey() {
    try {
      return Files.readString(dataDir.resolve("admin.key")).trim();
    } catch (IOException e) {
      throw new IllegalStateException("no admin key file in " + dataDir + ": " + e, e);
    }
  }

  public String url() {
    return "http://" + host + ":" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  public long pid() {
    return pid;
  }

  public String log() {
    try {
      Path log = dataDir.resolve("logs/gateway.log");
      return Files.exists(log) ? Files.readString(log) : "(no log)";
    } catch (IOException e) {
      return "(unreadable log)";
    }
  }

  public Http.Response get(String path) {
    return Http.get(url() + path);
  }

  public Http.Response post(String path, String body) {
    return Http.post(url() + path, body);
  }

  public Http.Response delete(String path) {
    return Http.delete(url() + path);
  }

  /** Launches an engine and returns its id (202 expected). */
  public String startEngine(String body) {
    Http.Response response = post("/v1/management/engines", body);
    assertThat(response.status()).as(response.body()).isEqualTo(202);
    return response.json().get("id").asText();
  }

  public JsonNode engine(String id) {
    Http.Response response = get("/v1/management/engines/" + id);
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.json();
  }

  /**
   * Polls the engine until {@code condition} holds, failing with its last view after {@code
   * timeout}.
   */
  public JsonNode awaitEngine(String id, Duration timeout, Predicate<JsonNode> condition) {
    try {
      return Await.until(
          "engine " + id + " to reach the condition", timeout, () -> engine(id), condition);
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "\nevents: " + get("/v1/management/engines/" + id + "/events").body(),
          e);
    }
  }

  public JsonNode awaitState(String id, String state, Duration timeout) {
    return awaitEngine(id, timeout, e -> state.equals(e.get("state").asText()));
  }

  /** kill -9 of the gateway process. */
  public void kill9() {
    ProcessHandle.of(pid)
        .ifPresent(
            h -> {
              h.destroyForcibly();
              h.onExit().join();
            });
  }

  @Override
  public void close() {
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      Sage.run(Map.of(), 120, "gateway", "stop", "--data-dir", dataDir.toString(), "--force");
    }
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  /**
   * Streams a chat completion of {@code tokens} tokens for {@code model} and returns the payload of
   * every {@code data:} event in order; a failure is the last item, {@code exception: ...}.
   */
  public List<String> streamChat(String model, int tokens) {
    return streamChat(model, tokens, new java.util.concurrent.CountDownLatch(1));
  }

  /** Like {@link #streamChat(String, int)}; {@code firstEvent} counts down at the first event. */
  public List<String> streamChat(
      String model, int tokens, java.util.concurrent.CountDownLatch firstEvent) {
    List<String> events = new ArrayList<>();
    try {
      java.net.http.HttpRequest request =
          Http.withKey(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(url() + "/v1/chat/completions"))
                  .header("Content-Type", "application/json")
                  .POST(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\""
                              + model
                              + "\",\"stream\":true,\"max_tokens\":"
                              + tokens
                              + ",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}"))
                  .build());
      java.net.http.HttpResponse<java.io.InputStream> response =
          Http.client().send(request, java.net.http.HttpResponse.BodyHandlers.ofInputStream());
      try (java.io.BufferedReader reader =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  response.body(), java.nio.charset.StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.startsWith("data: ")) {
            events.add(line.substring(6));
            firstEvent.countDown();
          }
        }
      }
    } catch (Exception e) {
      events.add("exception: " + e);
    }
    return events;
  }
}

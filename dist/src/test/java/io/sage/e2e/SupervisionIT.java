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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 4: every transition of the state machine, for real, with real processes and faults. */
class SupervisionIT {
  @TempDir static Path dataDir;
  @TempDir static Path pluginsDir;
  static Gateway gateway;
  static final Duration INTERVAL = Duration.ofMillis(500);

  @BeforeAll
  static void start() throws Exception {
    String pkg = "test.forking";
    String source =
        "package "
            + pkg
            + ";\n"
            + "import io.sage.spi.engine.*;\nimport java.util.*;\n"
            + "@org.pf4j.Extension\n"
            + "public class Forking implements EngineRuntimeFactory {\n"
            + "  public String kind() { return \"forking\"; }\n"
            + "  public EngineRuntime create(EngineContext c) {\n"
            + "    return () -> new LaunchCommand(List.of(\"/bin/bash\", \"-c\",\n"
            + "        \"(trap '' TERM; exec sleep 1000) & exec \\\"$0\\\" -cp \\\"$1\\\" io.sage.engine.mock.MockEngineMain --host 127.0.0.1 --port \\\"$2\\\" --model \\\"$3\\\" --kind llm\",\n"
            + "        c.javaExecutable().toString(), c.spec().options().get(\"mock_jar\"), Integer.toString(c.port()),\n"
            + "        c.spec().servedModelName()), Map.of(), c.workDirectory());\n"
            + "  }\n"
            + "}\n";
    TestPlugins.jar(
        pluginsDir,
        "forking-test",
        ">=1.0.0",
        Map.of(pkg + ".Forking", source),
        List.of(pkg + ".Forking"));
    // a runtime whose program is whatever its option names: the OS gets to refuse it
    String unrunnable =
        "package "
            + pkg
            + ";\n"
            + "import io.sage.spi.engine.*;\nimport java.util.*;\n"
            + "@org.pf4j.Extension\n"
            + "public class Unrunnable implements EngineRuntimeFactory {\n"
            + "  public String kind() { return \"unrunnable\"; }\n"
            + "  public EngineRuntime create(EngineContext c) {\n"
            + "    return () -> new LaunchCommand(List.of(c.spec().options().get(\"program\")),\n"
            + "        Map.of(), c.workDirectory());\n"
            + "  }\n"
            + "}\n";
    TestPlugins.jar(
        pluginsDir,
        "unrunnable-test",
        ">=1.0.0",
        Map.of(pkg + ".Unrunnable", unrunnable),
        List.of(pkg + ".Unrunnable"));
    gateway =
        Gateway.start(
            dataDir,
            Map.of(
                "SAGE_HEALTH_INTERVAL", INTERVAL.toMillis() + "ms",
                "SAGE_HEALTH_TIMEOUT", "500ms",
                "SAGE_RESTART_BACKOFF_INITIAL", "200ms",
                "SAGE_RESTART_MAX_RESTARTS", "2",
                "SAGE_STOP_GRACE_PERIOD", "1s"),
            "--plugins-dir",
            pluginsDir.toString());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    assertThat(Leftovers.killAll(dataDir)).as("processes left behind").isZero();
  }

  static String mock(String model, String options) {
    return "{\"model\":\"" + model + "\",\"runtime\":\"mock\",\"options\":{" + options + "}}";
  }

  static List<String> reasons(String id) {
    List<String> reasons = new ArrayList<>();
    gateway
        .get("/v1/management/engines/" + id + "/events")
        .json()
        .get("events")
        .forEach(
            e ->
                reasons.add(
                    e.get("from").asText()
                        + "->"
                        + e.get("to").asText()
                        + ": "
                        + e.get("reason").asText()));
    return reasons;
  }

  @Test
  void failingHealthChecksMakeAReadyEngineError() {
    String id =
        gateway.startEngine(
            mock("unhealthy", "\"fail_health_after_s\":2,\"restart_policy\":\"never\""));
    JsonNode ready = gateway.awaitState(id, "READY", Duration.ofSeconds(20));
    long readyAt = System.nanoTime();
    JsonNode error = gateway.awaitState(id, "ERROR", Duration.ofSeconds(20));
    long elapsedMs = (System.nanoTime() - readyAt) / 1_000_000;
    // health turns bad 2 s after its first healthy answer (before READY); then 3 failed probes
    // 0.5 s apart plus one timeout
    assertThat(elapsedMs).isLessThan(2000 + 3 * INTERVAL.toMillis() + 500 + 1500);
    assertThat(error.get("last_error").asText()).contains("3 health checks failed").contains("503");
    assertThat(ready.get("consecutive_failures").asInt()).isZero();
    assertThat(error.get("consecutive_failures").asInt()).isEqualTo(3);
    assertThat(reasons(id).get(0)).startsWith("READY->ERROR: 3 health checks failed");
    long pid = error.get("pid").asLong();
    gateway.awaitEngine(
        id, Duration.ofSeconds(5), e -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void killNineOfAnEngineIsErrorAtOnceThenRestartedToReady() {
    String id = gateway.startEngine(mock("crashy", ""));
    long pid = gateway.awaitState(id, "READY", Duration.ofSeconds(20)).get("pid").asLong();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    JsonNode back =
        gateway.awaitEngine(
            id,
            Duration.ofSeconds(30),
            e -> "READY".equals(e.get("state").asText()) && e.get("pid").asLong() != pid);
    assertThat(back.get("restart_count").asInt()).isEqualTo(1);
    List<String> reasons = reasons(id);
    assertThat(reasons.get(2)).startsWith("READY->ERROR: process exited with code 137");
    assertThat(reasons.get(1)).startsWith("ERROR->STARTING: automatic restart 1/2");
    assertThat(reasons.get(0)).startsWith("STARTING->READY");
  }

  @Test
  void anEngineThatNeverGetsReadyIsRestartedUntilTheBudgetIsSpent() {
    String id =
        gateway.startEngine(mock("hopeless", "\"fail_health_after_s\":0,\"startup_timeout_s\":3"));
    JsonNode gaveUp =
        gateway.awaitEngine(
            id,
            Duration.ofSeconds(40),
            e -> e.get("last_error").asText("").startsWith("gave up restarting"));
    assertThat(gaveUp.get("state").asText()).isEqualTo("ERROR");
    assertThat(gaveUp.get("restart_count").asInt()).isEqualTo(2);
    assertThat(reasons(id).get(0))
        .as("giving up is an event of its own")
        .startsWith("ERROR->ERROR: gave up restarting: 2 restarts within 10 min; last failure: ")
        .contains("startup timeout: not ready after 3 s");
    // "gave up restarting" is written by the very step that would otherwise have scheduled the next
    // restart, so none is pending: the engine is, and stays, in ERROR (the manual restart below is
    // accepted only from ERROR or STOPPED)
    assertThat(gateway.engine(id).get("state").asText()).isEqualTo("ERROR");
    Http.Response restart = gateway.post("/v1/management/engines/" + id + "/restart", "");
    assertThat(restart.status()).as(restart.body()).isEqualTo(202);
    assertThat(restart.json().get("state").asText()).isEqualTo("STARTING");
    assertThat(
            gateway
                .post("/v1/management/engines/" + id + "/stop?wait=true", "")
                .json()
                .get("state")
                .asText())
        .isEqualTo("STOPPED");
  }

  @Test
  void aLongStreamCompletesWhileItsEngineDrainsThenTheEngineStops() throws Exception {
    String id = gateway.startEngine(mock("drainable", "\"tokens_per_second\":5"));
    gateway.awaitState(id, "READY", Duration.ofSeconds(20));
    CompletableFuture<List<String>> stream =
        CompletableFuture.supplyAsync(() -> stream("drainable", 50));
    gateway.awaitEngine(id, Duration.ofSeconds(5), e -> e.get("active_requests").asInt() == 1);
    Http.Response stop = gateway.post("/v1/management/engines/" + id + "/stop", "");
    assertThat(stop.status()).isEqualTo(202);
    assertThat(stop.json().get("state").asText()).isEqualTo("DRAINING");
    Http.Response refused =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"drainable\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(refused.status()).isEqualTo(503);
    List<String> events = stream.get();
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    assertThat(events).hasSizeGreaterThanOrEqualTo(51);
    JsonNode stopped = gateway.awaitState(id, "STOPPED", Duration.ofSeconds(15));
    assertThat(reasons(id).get(0)).startsWith("DRAINING->STOPPED: drained");
    assertThat(
            ProcessHandle.of(stopped.get("pid").asLong()).map(ProcessHandle::isAlive).orElse(false))
        .isFalse();
  }

  @Test
  void aDrainTimeoutForceStops() {
    String id = gateway.startEngine(mock("slowdrain", "\"tokens_per_second\":5"));
    gateway.awaitState(id, "READY", Duration.ofSeconds(20));
    CompletableFuture<List<String>> stream =
        CompletableFuture.supplyAsync(() -> stream("slowdrain", 100));
    gateway.awaitEngine(id, Duration.ofSeconds(5), e -> e.get("active_requests").asInt() == 1);
    long start = System.nanoTime();
    gateway.post("/v1/management/engines/" + id + "/stop?drain_timeout=1", "");
    gateway.awaitState(id, "STOPPED", Duration.ofSeconds(15));
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(8000);
    assertThat(reasons(id).get(0)).contains("drain timeout after 1 s with 1 request(s) in flight");
    List<String> events = stream.join();
    assertThat(events).doesNotContain("[DONE]");
    assertThat(events.get(events.size() - 1))
        .as("the stream ends with the planned stop's own reason, not an engine failure")
        .contains("\"code\":\"drain_timeout\"")
        .contains("was stopped when its drain timeout of 1 s passed")
        .doesNotContain("failed mid-stream");
  }

  @Test
  void aStopWithoutDrainEndsStreamsAsAPlannedStop() {
    String id = gateway.startEngine(mock("nodrain", "\"tokens_per_second\":5"));
    gateway.awaitState(id, "READY", Duration.ofSeconds(20));
    java.util.concurrent.CountDownLatch streaming = new java.util.concurrent.CountDownLatch(1);
    CompletableFuture<List<String>> stream =
        CompletableFuture.supplyAsync(() -> stream("nodrain", 100, streaming));
    // cut once bytes have gone out (before that, a lost engine is retried, not cut)
    assertThat(awaitLatch(streaming)).as("the stream started").isTrue();
    gateway.post("/v1/management/engines/" + id + "/stop?drain=false", "");
    gateway.awaitState(id, "STOPPED", Duration.ofSeconds(15));
    assertThat(reasons(id).get(0)).contains("stopped without drain; cut 1 request(s) in flight");
    List<String> events = stream.join();
    assertThat(events.get(events.size() - 1))
        .contains("\"code\":\"engine_stopped\"")
        .contains("was stopped without waiting for requests")
        .doesNotContain("failed mid-stream");
  }

  @Test
  void anEngineThatDiesMidStreamEndsItAsAnEngineFailure() {
    String id =
        gateway.startEngine(mock("dying", "\"tokens_per_second\":5,\"restart_policy\":\"never\""));
    long pid = gateway.awaitState(id, "READY", Duration.ofSeconds(20)).get("pid").asLong();
    java.util.concurrent.CountDownLatch streaming = new java.util.concurrent.CountDownLatch(1);
    CompletableFuture<List<String>> stream =
        CompletableFuture.supplyAsync(() -> stream("dying", 100, streaming));
    // cut once bytes have gone out (before that, a lost engine is retried, not cut)
    assertThat(awaitLatch(streaming)).as("the stream started").isTrue();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    List<String> events = stream.join();
    assertThat(events.get(events.size() - 1))
        .contains("\"code\":\"engine_unreachable\"")
        .contains("engine " + id + " failed mid-stream");
    gateway.awaitState(id, "ERROR", Duration.ofSeconds(15));
  }

  @Test
  void aLaunchTheOsRefusesNamesTheErrorAndTheFile() throws Exception {
    Path notExecutable = dataDir.resolve("not-executable.sh");
    java.nio.file.Files.writeString(notExecutable, "#!/bin/sh\nexit 0\n");
    java.nio.file.Files.setPosixFilePermissions(
        notExecutable, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    String id =
        gateway.startEngine(
            "{\"model\":\"refused\",\"runtime\":\"unrunnable\",\"options\":{\"program\":\""
                + notExecutable
                + "\",\"restart_policy\":\"never\"}}");
    JsonNode error = gateway.awaitState(id, "ERROR", Duration.ofSeconds(20));
    assertThat(error.get("last_error").asText())
        .isEqualTo(
            "launch failed: engine "
                + id
                + " could not be launched: permission denied: "
                + notExecutable);
    assertThat(reasons(id).get(0)).contains("permission denied: " + notExecutable);
  }

  @Test
  void stoppingAForkingEngineLeavesNoProcessInItsGroup() {
    String jar = Sage.pluginsDir().resolve("sage-engine-mock.jar").toString();
    String id =
        gateway.startEngine(
            "{\"model\":\"forker\",\"runtime\":\"forking\",\"options\":{\"mock_jar\":\""
                + jar
                + "\"}}");
    long pid = gateway.awaitState(id, "READY", Duration.ofSeconds(20)).get("pid").asLong();
    List<Long> group = groupMembers(pid);
    assertThat(group).as("the engine forked a child into its group").hasSizeGreaterThanOrEqualTo(2);
    JsonNode stopped = gateway.post("/v1/management/engines/" + id + "/stop?wait=true", "").json();
    assertThat(stopped.get("state").asText()).isEqualTo("STOPPED");
    assertThat(groupMembers(pid)).isEmpty();
    assertThat(reasons(id).get(0)).contains("SIGKILL");
  }

  @Test
  void theLogsEndpointShowsTheEnginesOutput() {
    String id = gateway.startEngine(mock("chatty", ""));
    gateway.awaitState(id, "READY", Duration.ofSeconds(20));
    Http.Response logs = gateway.get("/v1/management/engines/" + id + "/logs?tail=20");
    assertThat(logs.status()).isEqualTo(200);
    assertThat(logs.header("content-type")).startsWith("text/plain");
    assertThat(logs.body()).contains("listening");
    assertThat(gateway.get("/v1/management/engines/" + id + "/logs?tail=abc").status())
        .isEqualTo(400);
    assertThat(dataDir.resolve("engines").resolve(id).resolve("engine.log")).exists();
  }

  @Test
  void healthSettingsCanBeSetPerEngine() {
    String id =
        gateway.startEngine(
            mock(
                "strict",
                "\"fail_health_after_s\":1,\"restart_policy\":\"never\","
                    + "\"health_failure_threshold\":1,\"health_interval_s\":0.2"));
    gateway.awaitState(id, "READY", Duration.ofSeconds(20));
    JsonNode error = gateway.awaitState(id, "ERROR", Duration.ofSeconds(20));
    assertThat(error.get("last_error").asText()).startsWith("1 health checks failed");
    Http.Response bad =
        gateway.post(
            "/v1/management/engines", mock("bad-health", "\"health_interval_s\":\"soon\""));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().at("/error/message").asText()).contains("health_interval_s");
  }

  @Test
  void followingTheLogsStreamsNewLinesAsTheyAreWritten() throws Exception {
    String id = gateway.startEngine(mock("followed", "\"log_requests\":true"));
    gateway.awaitState(id, "READY", Duration.ofSeconds(20));
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    gateway.url() + "/v1/management/engines/" + id + "/logs?tail=5&follow=true"))
            .GET()
            .build();
    HttpResponse<InputStream> response =
        Http.client().send(Http.withKey(request), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    java.util.concurrent.CountDownLatch following = new java.util.concurrent.CountDownLatch(1);
    CompletableFuture<String> seen =
        CompletableFuture.supplyAsync(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(
                      new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  following.countDown();
                  if (line.contains("x-request-id=follow-me")) {
                    return line;
                  }
                }
                return "(stream ended)";
              } catch (Exception e) {
                return "exception: " + e;
              }
            });
    // the tail lines have arrived, so the follower is reading at the end of the log
    assertThat(following.await(15, java.util.concurrent.TimeUnit.SECONDS))
        .as("the log follow stream sent its tail")
        .isTrue();
    Http.send(
        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .header("x-request-id", "follow-me")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"followed\",\"messages\":[]}")));
    assertThat(seen.get(15, java.util.concurrent.TimeUnit.SECONDS))
        .contains("path=/v1/chat/completions");
    response.body().close();
  }

  static boolean awaitLatch(java.util.concurrent.CountDownLatch latch) {
    try {
      return latch.await(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static List<Long> groupMembers(long pgid) {
    List<Long> members = new ArrayList<>();
    ProcessHandle.allProcesses()
        .forEach(
            p -> {
              try {
                String stat =
                    java.nio.file.Files.readString(
                        Path.of("/proc", Long.toString(p.pid()), "stat"));
                String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (Long.parseLong(rest[2]) == pgid && !"Z".equals(rest[0])) {
                  members.add(p.pid());
                }
              } catch (Exception e) {
                // gone
              }
            });
    return members;
  }

  static List<String> stream(String model, int tokens) {
    return gateway.streamChat(model, tokens);
  }

  /** Streams a chat; {@code firstEvent} counts down once the first SSE event has arrived. */
  static List<String> stream(
      String model, int tokens, java.util.concurrent.CountDownLatch firstEvent) {
    return gateway.streamChat(model, tokens, firstEvent);
  }
}

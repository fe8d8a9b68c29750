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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code slurm} runtime against a real single-node Slurm cluster ({@link SlurmCluster}) and the
 * real gateway: engines are Slurm jobs running the mock engine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlurmIT {
  private static final Pattern JOB_LINE = Pattern.compile("slurm job (\\d+)");

  @TempDir static Path clusterDir;
  @TempDir static Path dataDir;
  static SlurmCluster cluster;
  static Gateway gateway;
  static Map<String, String> env;

  @BeforeAll
  static void start() {
    cluster = SlurmCluster.start(clusterDir);
    env = new HashMap<>(cluster.env());
    env.put("SAGE_SLURM_POLL_INTERVAL_MS", "300");
    env.put("SAGE_SLURM_COMMAND_TIMEOUT_MS", "4000");
    gateway = Gateway.start(dataDir, env);
  }

  @AfterAll
  static void stop() {
    try {
      if (gateway != null) {
        gateway.close();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
    assertThat(Leftovers.killAll(dataDir)).as("engine processes left behind").isZero();
  }

  static String slurmEngine(String model, String options) {
    return "{\"model\":\""
        + model
        + "\",\"runtime\":\"slurm\",\"options\":{\"inner_runtime\":\"mock\",\"partition\":\""
        + SlurmCluster.PARTITION
        + "\""
        + (options.isEmpty() ? "" : "," + options)
        + "}}";
  }

  @Test
  @Order(1)
  void badInputIsRefusedNamingTheFieldAndSubmitsNothing() {
    List<String> before = cluster.allJobs();
    Map<String, String> cases =
        Map.of(
            "{\"model\":\"bad\",\"runtime\":\"slurm\",\"options\":{\"inner_runtime\":\"mock\","
                + "\"partition\":\"nosuchpartition\"}}",
            "partition 'nosuchpartition' is not a partition",
            "{\"model\":\"bad\",\"runtime\":\"slurm\",\"options\":{\"inner_runtime\":\"mock\","
                + "\"partition\":\"gpu;touch /tmp/sage-pwned\"}}",
            "partition must be",
            "{\"model\":\"bad\",\"runtime\":\"slurm\",\"options\":{\"inner_runtime\":\"mock\","
                + "\"account\":\"$(id)\"}}",
            "account must be",
            "{\"model\":\"bad\",\"runtime\":\"slurm\",\"options\":{\"inner_runtime\":\"mock\","
                + "\"extra_sbatch_args\":\"--exclusive --wrap=id\"}}",
            "extra_sbatch_args: '--wrap=id' is not allowed",
            "{\"model\":\"bad\",\"runtime\":\"slurm\",\"options\":{\"inner_runtime\":\"nosuch\"}}",
            "inner_runtime 'nosuch'",
            "{\"model\":\"bad\",\"runtime\":\"slurm\",\"options\":{\"inner_runtime\":\"mock\","
                + "\"latency_ms\":\"fast\"}}",
            "latency_ms");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      Http.Response response = gateway.post("/v1/management/engines", c.getKey());
      assertThat(response.status()).as(response.body()).isEqualTo(400);
      assertThat(response.json().get("error").get("message").asText())
          .as(c.getKey())
          .contains(c.getValue());
    }
    assertThat(cluster.allJobs()).isEqualTo(before);
    assertThat(gateway.get("/v1/management/engines").json().get("count").asInt()).isZero();
    assertThat(Path.of("/tmp/sage-pwned")).doesNotExist();
  }

  @Test
  @Order(2)
  void aQueuedJobIsStartingWithSlurmsReasonThenReadyOnTheGpuSlurmGaveIt() {
    String blocker = cluster.sbatch("--job-name=blocker", "--gres=gpu:2", "--wrap=sleep 600");
    cluster.awaitJobState(blocker, "RUNNING", Duration.ofSeconds(30));
    String id = gateway.startEngine(slurmEngine("slurm-mock", "\"tokens_per_second\":20"));
    JsonNode queued =
        gateway.awaitEngine(
            id,
            Duration.ofSeconds(30),
            e ->
                e.get("state").asText().equals("STARTING")
                    && e.get("last_error").asText("").contains("PENDING ("));
    assertThat(queued.get("last_error").asText()).containsAnyOf("(Resources)", "(Priority)");
    assertThat(queued.get("base_url").isNull()).isTrue();
    assertThat(cluster.activeJobs("sage-" + id)).hasSize(1);

    cluster.scancel(blocker);
    JsonNode ready = gateway.awaitState(id, "READY", Duration.ofSeconds(60));
    assertThat(ready.get("base_url").asText()).startsWith("http://" + cluster.node() + ":");

    Http.Response chat =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"slurm-mock\",\"max_tokens\":3,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(chat.status()).as(chat.body()).isEqualTo(200);
    assertThat(chat.json().get("choices").get(0).get("message").get("content").asText())
        .isNotBlank();

    Sage.Result logs =
        Sage.run(
            Map.of("SAGE_GATEWAY_URL", gateway.url(), "SAGE_HOME", dataDir.toString()),
            "llm",
            "engine",
            "logs",
            id,
            "-n",
            "50");
    assertThat(logs.exitCode()).as(logs.all()).isZero();
    assertThat(logs.stdout())
        .contains("submitted slurm job")
        .containsPattern("in Slurm job \\d+ on " + cluster.node() + " port \\d+")
        .containsPattern("CUDA_VISIBLE_DEVICES=[01]\\b")
        .contains("mock engine slurm-mock listening");

    JsonNode status = gateway.get("/v1/management/status").json();
    JsonNode slurm = status.get("schedulers").get(0);
    assertThat(slurm.get("runtime").asText()).isEqualTo("slurm");
    assertThat(slurm.get("reachable").asBoolean()).isTrue();
    assertThat(slurm.get("nodes").get(0).get("gres").asText()).isEqualTo("gpu:2");
    assertThat(slurm.get("nodes").get(0).get("gres_used").asText()).startsWith("gpu:1");
  }

  @Test
  @Order(3)
  void aJobCancelledOutsideIsErrorWithSlurmsStateThenANewJobIsReady() {
    String id = engineId("slurm-mock");
    String job = onlyJob(id);
    cluster.scancel(job);
    gateway.awaitEngine(
        id,
        Duration.ofSeconds(30),
        e -> reasons(id).stream().anyMatch(r -> r.startsWith("READY->ERROR")));
    String error =
        reasons(id).stream().filter(r -> r.startsWith("READY->ERROR")).findFirst().orElseThrow();
    assertThat(error).contains("slurm job " + job + " ended: CANCELLED, exit code");
    gateway.awaitEngine(
        id,
        Duration.ofSeconds(60),
        e -> e.get("state").asText().equals("READY") && e.get("restart_count").asInt() >= 1);
    String second = onlyJob(id);
    assertThat(second).isNotEqualTo(job);
  }

  @Test
  @Order(4)
  void afterAKill9TheGatewayAdoptsTheSameJob() {
    String id = engineId("slurm-mock");
    String job = onlyJob(id);
    gateway.kill9();
    gateway = gateway.restart();
    JsonNode ready = gateway.awaitState(id, "READY", Duration.ofSeconds(60));
    assertThat(onlyJob(id)).isEqualTo(job);
    Http.Response logs = gateway.get("/v1/management/engines/" + id + "/logs?tail=30");
    assertThat(logs.body()).contains("gateway restarted; adopted slurm job " + job + " (RUNNING)");
    Http.Response chat =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"slurm-mock\",\"max_tokens\":2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"again\"}]}");
    assertThat(chat.status()).as(chat.body()).isEqualTo(200);
    assertThat(ready.get("restart_count").asInt()).isEqualTo(1);
  }

  @Test
  @Order(5)
  void aJobThatVanishedWhileTheGatewayWasDownIsResubmitted() {
    String id = engineId("slurm-mock");
    String job = onlyJob(id);
    gateway.kill9();
    cluster.scancel(job);
    cluster.awaitJobState(job, "CANCELLED", Duration.ofSeconds(30));
    gateway = gateway.restart();
    gateway.awaitEngine(
        id,
        Duration.ofSeconds(60),
        e -> e.get("state").asText().equals("READY") && !onlyJobOrNone(id).equals(job));
    assertThat(reasons(id)).anyMatch(r -> r.contains("gateway restarted; job gone"));
  }

  @Test
  @Order(6)
  void slurmDownIsAClearStatusAndNeverAHungGateway() {
    String id = engineId("slurm-mock");
    cluster.stopController();
    try {
      long started = System.nanoTime();
      JsonNode status = gateway.get("/v1/management/status").json();
      assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(15_000);
      JsonNode slurm = status.get("schedulers").get(0);
      assertThat(slurm.get("reachable").asBoolean()).isFalse();
      assertThat(slurm.get("detail").asText()).contains("unreachable");
      // the engine itself still runs on its node and serves
      Http.Response chat =
          gateway.post(
              "/v1/chat/completions",
              "{\"model\":\"slurm-mock\",\"max_tokens\":2,"
                  + "\"messages\":[{\"role\":\"user\",\"content\":\"down\"}]}");
      assertThat(chat.status()).as(chat.body()).isEqualTo(200);
      assertThat(gateway.engine(id).get("state").asText()).isEqualTo("READY");
    } finally {
      cluster.startController();
    }
    gateway.awaitEngine(
        id,
        Duration.ofSeconds(30),
        e ->
            gateway
                .get("/v1/management/status")
                .json()
                .get("schedulers")
                .get(0)
                .get("reachable")
                .asBoolean());
  }

  @Test
  @Order(7)
  void stopDrainsAStreamThenTheJobEnds() throws Exception {
    String id = engineId("slurm-mock");
    String job = onlyJob(id);
    CompletableFuture<List<String>> stream =
        CompletableFuture.supplyAsync(() -> stream("slurm-mock", 40));
    gateway.awaitEngine(id, Duration.ofSeconds(10), e -> e.get("active_requests").asInt() == 1);
    Http.Response stop = gateway.post("/v1/management/engines/" + id + "/stop", "");
    assertThat(stop.status()).as(stop.body()).isEqualTo(202);
    assertThat(stop.json().get("state").asText()).isEqualTo("DRAINING");
    List<String> events = stream.get();
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    assertThat(events).hasSizeGreaterThanOrEqualTo(41);
    gateway.awaitState(id, "STOPPED", Duration.ofSeconds(40));
    assertThat(reasons(id).get(0)).startsWith("DRAINING->STOPPED: drained; Slurm job " + job);
    assertThat(cluster.activeJobs("sage-" + id)).isEmpty();
  }

  @Test
  @Order(8)
  void queueTimeDoesNotCountAgainstTheStartupTimeoutAndStoppingAQueuedJobCancelsIt() {
    String blocker = cluster.sbatch("--job-name=blocker2", "--gres=gpu:2", "--wrap=sleep 600");
    try {
      cluster.awaitJobState(blocker, "RUNNING", Duration.ofSeconds(30));
      String id = gateway.startEngine(slurmEngine("queued-mock", "\"startup_timeout_s\":\"2\""));
      gateway.awaitEngine(
          id, Duration.ofSeconds(30), e -> e.get("last_error").asText("").contains("PENDING"));
      String job = onlyJob(id);
      // twice the startup timeout in the queue: still STARTING, never ERROR
      Await.during(
          "the queued engine STARTING",
          Duration.ofSeconds(4),
          () -> gateway.engine(id).get("state").asText().equals("STARTING"));
      Http.Response stop = gateway.post("/v1/management/engines/" + id + "/stop?wait=true", "");
      assertThat(stop.status()).as(stop.body()).isEqualTo(200);
      assertThat(stop.json().get("state").asText()).isEqualTo("STOPPED");
      assertThat(cluster.activeJobs("sage-" + id)).isEmpty();
      assertThat(reasons(id).get(0)).startsWith("STARTING->STOPPED");
      assertThat(reasons(id)).noneMatch(r -> r.contains("ERROR"));
      cluster.awaitJobState(job, "CANCELLED", Duration.ofSeconds(10));
    } finally {
      cluster.scancel(blocker);
    }
  }

  private static String engineId(String model) {
    for (JsonNode e : gateway.get("/v1/management/engines").json().get("engines")) {
      if (e.get("model").asText().equals(model)) {
        return e.get("id").asText();
      }
    }
    throw new AssertionError("no engine for " + model);
  }

  private static String onlyJob(String id) {
    List<String> jobs = cluster.activeJobs("sage-" + id);
    assertThat(jobs).as("Slurm jobs of " + id).hasSize(1);
    return jobs.get(0);
  }

  private static String onlyJobOrNone(String id) {
    List<String> jobs = cluster.activeJobs("sage-" + id);
    return jobs.size() == 1 ? jobs.get(0) : "";
  }

  /** The engine's events, newest first, as FROM->TO: reason. */
  private static List<String> reasons(String id) {
    List<String> reasons = new ArrayList<>();
    for (JsonNode e :
        gateway.get("/v1/management/engines/" + id + "/events").json().get("events")) {
      reasons.add(
          e.get("from").asText() + "->" + e.get("to").asText() + ": " + e.get("reason").asText());
    }
    return reasons;
  }

  static String jobOf(String log) {
    Matcher m = JOB_LINE.matcher(log);
    return m.find() ? m.group(1) : "";
  }

  static List<String> stream(String model, int tokens) {
    List<String> events = new ArrayList<>();
    try {
      HttpRequest request =
          Http.withKey(
              HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\""
                              + model
                              + "\",\"stream\":true,\"max_tokens\":"
                              + tokens
                              + ",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}"))
                  .build());
      HttpResponse<InputStream> response =
          Http.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.startsWith("data: ")) {
            events.add(line.substring(6));
          }
        }
      }
    } catch (Exception e) {
      events.add("exception: " + e);
    }
    return events;
  }
}

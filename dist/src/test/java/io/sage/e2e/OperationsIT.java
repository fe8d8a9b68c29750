package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 through the real {@code bin/sage}: help, completion, version, interactive chat on stdin,
 * {@code logs -f} through the follow API, the rotated gateway log, and one gateway per data dir
 * decided by the lock (with a real {@code kill -9}).
 */
class OperationsIT {
  @TempDir Path dataDir;

  @Test
  void helpCompletionAndVersionFromTheRealScript() throws Exception {
    for (String[] args :
        new String[][] {
          {"--help"},
          {"gateway", "--help"},
          {"keys", "--help"},
          {"llm", "engine", "logs", "-h"},
          {"chat", "--help"},
          {"completion", "--help"},
          {"version", "--help"}
        }) {
      Sage.Result help = Sage.run(Map.of(), args);
      assertThat(help.exitCode()).as(String.join(" ", args) + ": " + help.all()).isZero();
      assertThat(help.stdout()).contains("Usage: sage");
    }
    Path script = dataDir.resolve("sage.bash");
    Sage.Result bash = Sage.run(Map.of(), "completion", "bash");
    assertThat(bash.exitCode()).isZero();
    Files.writeString(script, bash.stdout());
    // bash really completes with it: "sage gat<TAB>" and "sage gateway st<TAB>"
    Process shell =
        new ProcessBuilder(
                "bash",
                "-c",
                "source "
                    + script
                    + "; "
                    + "COMP_WORDS=(sage gat); COMP_CWORD=1; COMP_LINE='sage gat'; COMP_POINT=8;"
                    + " _complete_sage; echo \"1:${COMPREPLY[*]}\";"
                    + " COMP_WORDS=(sage gateway st); COMP_CWORD=2; COMP_LINE='sage gateway st';"
                    + " COMP_POINT=15; _complete_sage; echo \"2:${COMPREPLY[*]}\"")
            .redirectErrorStream(true)
            .start();
    String completed = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(completed).contains("1:gateway").containsPattern("2:.*start").contains("status");

    try (Gateway gateway = Gateway.start(dataDir)) {
      Sage.Result version = Sage.run(Map.of(), "version", "--gateway", gateway.url());
      assertThat(version.exitCode()).as(version.all()).isZero();
      JsonNode served = gateway.get("/version").json();
      String commit = served.path("commit").asText();
      assertThat(commit).matches("[0-9a-f]{40}");
      assertThat(served.path("version").asText()).isNotBlank();
      assertThat(version.stdout())
          .contains("cli      " + served.path("version").asText() + " (commit " + commit + ")")
          .contains("gateway  " + served.path("version").asText());
    }
  }

  @Test
  void chatStreamsRepliesKeepsHistoryAndExits() {
    try (Gateway gateway = Gateway.start(dataDir)) {
      String id =
          gateway.startEngine(
              "{\"model\":\"chat-model\",\"runtime\":\"mock\",\"options\":{\"log_requests\":true}}");
      gateway.awaitState(id, "READY", Duration.ofSeconds(60));
      Sage.Result chat =
          Sage.runWithInput(
              Map.of(),
              120,
              "first question\nsecond question\n/exit\nnever sent\n",
              "chat",
              "chat-model",
              "--max-tokens",
              "3",
              "--gateway",
              gateway.url(),
              "--data-dir",
              dataDir.toString());
      assertThat(chat.exitCode()).as(chat.all()).isZero();
      assertThat(chat.stdout()).isEqualTo("tok0 tok1 tok2\ntok0 tok1 tok2\n");
      String log = gateway.get("/v1/management/engines/" + id + "/logs?tail=200").body();
      List<String> requests =
          log.lines().filter(l -> l.contains("path=/v1/chat/completions")).toList();
      assertThat(requests).hasSize(2);
      // the second turn carries the first question and the first reply
      assertThat(requests.get(1))
          .contains("first question")
          .contains("tok0 tok1 tok2")
          .contains("second question");
      assertThat(log).doesNotContain("never sent");
      Sage.Result unknown =
          Sage.runWithInput(
              Map.of(),
              60,
              "hi\n",
              "chat",
              "no-such-model",
              "--gateway",
              gateway.url(),
              "--data-dir",
              dataDir.toString());
      assertThat(unknown.exitCode()).isZero();
      assertThat(unknown.stderr()).contains("no-such-model");
    }
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  @Test
  void logsFollowShowsEveryLineOnceInOrderIncludingRepeats() throws Exception {
    try (Gateway gateway = Gateway.start(dataDir)) {
      String id =
          gateway.startEngine(
              "{\"model\":\"log-model\",\"runtime\":\"mock\",\"options\":{\"log_requests\":true}}");
      gateway.awaitState(id, "READY", Duration.ofSeconds(60));
      Process engineFollow =
          Sage.spawn(
              Map.of(),
              "llm",
              "engine",
              "logs",
              id,
              "-f",
              "-n",
              "1",
              "--gateway",
              gateway.url(),
              "--data-dir",
              dataDir.toString());
      Process gatewayFollow =
          Sage.spawn(
              Map.of(), "gateway", "logs", "-f", "-n", "1", "--data-dir", dataDir.toString());
      try {
        List<String> engineLines = collect(engineFollow);
        List<String> gatewayLines = collect(gatewayFollow);
        awaitLines(engineLines, 1);
        awaitLines(gatewayLines, 1);
        // five identical requests make five identical log lines
        for (int i = 0; i < 5; i++) {
          java.net.http.HttpRequest.Builder request =
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(gateway.url() + "/v1/chat/completions"))
                  .header("x-request-id", "same-id")
                  .header("Content-Type", "application/json")
                  .POST(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"log-model\",\"max_tokens\":1}"));
          assertThat(Http.send(request).status()).isEqualTo(200);
        }
        List<String> repeated = awaitMatching(engineLines, "x-request-id=same-id", 5);
        assertThat(repeated).hasSize(5).allMatch(l -> l.equals(repeated.get(0)));
        // gateway log: three appended marker lines, identical ones included, in order
        Path log = dataDir.resolve("logs/gateway.log");
        Files.writeString(
            log, "marker A\nmarker B\nmarker B\n", java.nio.file.StandardOpenOption.APPEND);
        List<String> markers = awaitMatching(gatewayLines, "marker ", 3);
        assertThat(markers).containsExactly("marker A", "marker B", "marker B");
        // and a real gateway line: an engine stop's transitions, each once
        gateway.post("/v1/management/engines/" + id + "/stop?drain=false&wait=true", "");
        List<String> transitions = awaitMatching(gatewayLines, "engine " + id + " READY -> ", 1);
        // a line appended after the transitions: once it arrives, a duplicate would have too
        Files.writeString(log, "marker C\n", java.nio.file.StandardOpenOption.APPEND);
        awaitMatching(gatewayLines, "marker C", 1);
        synchronized (gatewayLines) {
          assertThat(gatewayLines.stream().filter(l -> l.contains("engine " + id + " READY -> ")))
              .hasSize(1);
        }
        assertThat(transitions).hasSize(1);
        assertThat(Collections.frequency(snapshot(engineLines), repeated.get(0))).isEqualTo(5);
      } finally {
        engineFollow.destroy();
        gatewayFollow.destroy();
        engineFollow.waitFor(10, TimeUnit.SECONDS);
        gatewayFollow.waitFor(10, TimeUnit.SECONDS);
      }
    }
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  @Test
  void theGatewayLogRotatesBySizeKeepingTheConfiguredCount() throws Exception {
    Map<String, String> env = Map.of("SAGE_LOG_MAX_SIZE", "2KB", "SAGE_LOG_MAX_FILES", "2");
    try (Gateway gateway = Gateway.start(dataDir, env)) {
      Path logs = dataDir.resolve("logs");
      // each engine start and stop logs its transitions; a few cycles are well over 3 x 2 KB
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (!Files.exists(logs.resolve("gateway.log.2")) && System.nanoTime() < deadline) {
        String id = gateway.startEngine("{\"model\":\"rot-model\",\"runtime\":\"mock\"}");
        gateway.awaitState(id, "READY", Duration.ofSeconds(60));
        gateway.post("/v1/management/engines/" + id + "/stop?drain=false&wait=true", "");
        gateway.delete("/v1/management/engines/" + id + "?purge=true");
      }
      assertThat(logs.resolve("gateway.log.2")).exists();
      for (int i = 0; i < 3; i++) {
        String id = gateway.startEngine("{\"model\":\"rot-model\",\"runtime\":\"mock\"}");
        gateway.awaitState(id, "READY", Duration.ofSeconds(60));
        gateway.post("/v1/management/engines/" + id + "/stop?drain=false&wait=true", "");
      }
      try (Stream<Path> files = Files.list(logs)) {
        List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
        assertThat(names).contains("gateway.log", "gateway.log.1", "gateway.log.2");
        assertThat(names).doesNotContain("gateway.log.3");
      }
      // rolled files stay near the limit (one line may overshoot it)
      assertThat(Files.size(logs.resolve("gateway.log.1"))).isLessThan(2048 + 4096);
      assertThat(
              Files.readString(logs.resolve("gateway.log"))
                  + Files.readString(logs.resolve("gateway.log.1")))
          .contains("STARTING -> READY");
    }
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  @Test
  void oneGatewayPerDataDirDecidedByTheLockEvenAfterKill9() throws Exception {
    Gateway first = Gateway.start(dataDir);
    try {
      Sage.Result status =
          Sage.run(Map.of(), "gateway", "status", "--data-dir", dataDir.toString());
      assertThat(status.exitCode()).isZero();
      assertThat(status.stdout()).contains("running (pid " + first.pid());
      // a second gateway on the same data dir refuses, naming the holder
      Sage.Result second =
          Sage.run(
              Map.of(),
              120,
              "gateway",
              "start",
              "--foreground",
              "--port",
              Integer.toString(Ports.free()),
              "--data-dir",
              dataDir.toString());
      assertThat(second.exitCode()).isEqualTo(1);
      assertThat(second.all())
          .contains("is in use by another gateway")
          .contains("pid " + first.pid())
          .contains(":" + first.port());
      Sage.Result again =
          Sage.run(
              Map.of(),
              "gateway",
              "start",
              "--port",
              Integer.toString(first.port()),
              "--data-dir",
              dataDir.toString());
      assertThat(again.exitCode()).isZero();
      assertThat(again.stdout()).contains("already running (pid " + first.pid());

      // kill -9: the lock goes with the process, at once, zombie or not
      first.kill9();
      Sage.Result after = Sage.run(Map.of(), "gateway", "status", "--data-dir", dataDir.toString());
      assertThat(after.exitCode()).as(after.all()).isEqualTo(1);
      assertThat(after.stdout()).contains("not running");
      // a pid file naming a live java process (this test's JVM) does not fake a running gateway
      Files.writeString(
          dataDir.resolve("gateway.pid"), Long.toString(ProcessHandle.current().pid()));
      assertThat(
              Sage.run(Map.of(), "gateway", "status", "--data-dir", dataDir.toString()).exitCode())
          .isEqualTo(1);
      Gateway restarted = first.restart();
      first = restarted;
      assertThat(restarted.get("/health").status()).isEqualTo(200);
      assertThat(restarted.pid()).isNotEqualTo(ProcessHandle.current().pid());
      Sage.Result stop = Sage.run(Map.of(), "gateway", "stop", "--data-dir", dataDir.toString());
      assertThat(stop.exitCode()).as(stop.all()).isZero();
      assertThat(stop.stdout()).contains("gateway stopped");
      assertThat(
              Sage.run(Map.of(), "gateway", "status", "--data-dir", dataDir.toString()).exitCode())
          .isEqualTo(1);
    } finally {
      first.close();
    }
    assertThat(Leftovers.killAll(dataDir)).isZero();
  }

  private static List<String> collect(Process process) {
    List<String> lines = new ArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  synchronized (lines) {
                    lines.add(line);
                  }
                }
              } catch (IOException e) {
                // the process was stopped
              }
            },
            "follow-reader");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static List<String> snapshot(List<String> lines) {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  private static void awaitLines(List<String> lines, int count) {
    Await.until(
        count + " followed lines",
        Duration.ofSeconds(60),
        () -> snapshot(lines),
        found -> found.size() >= count);
  }

  private static List<String> awaitMatching(List<String> lines, String needle, int count) {
    return Await.until(
        count + " lines with '" + needle + "'",
        Duration.ofSeconds(30),
        () -> snapshot(lines).stream().filter(l -> l.contains(needle)).toList(),
        found -> found.size() >= count);
  }
}

package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, write ahead of the launch: {@code kill -9} of the gateway 0, 3, 10 and 30 ms after it
 * acknowledged three engine starts, twice over, then a restart: each engine has exactly one live
 * process (adopted, or relaunched once), orphans are stopped and written as events, and stops and
 * {@code gateway stop} leave no process behind.
 */
class LaunchCrashIT {
  private static final long[] DELAYS_MS = {0, 3, 10, 30};
  private static final int ROUNDS = 2;

  /** A port range of its own: a port taken by another suite's engine would look like a failure. */
  private static final Map<String, String> ENV =
      Map.of(
          "SAGE_STOP_GRACE_PERIOD", "2s",
          "SAGE_HEALTH_STARTING_INTERVAL", "100ms",
          "SAGE_ENGINES_PORT_RANGE_START", "44100",
          "SAGE_ENGINES_PORT_RANGE_END", "44999");

  @Test
  void killNineRightAfterAcknowledgedStartsLeavesOneProcessPerEngine(@TempDir Path dataDir)
      throws Exception {
    Gateway gateway = Gateway.start(dataDir, ENV);
    Map<String, Integer> outcomes = new TreeMap<>();
    try {
      int n = 0;
      for (int round = 0; round < ROUNDS; round++) {
        for (long delay : DELAYS_MS) {
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            ids.add(gateway.startEngine(mock("crash-" + n++)));
          }
          // the fault's timing (how long after the third acknowledgement the gateway dies)
          killNineAfter(gateway, delay);
          gateway = gateway.restart();
          Gateway current = gateway;
          for (String id : ids) {
            current.awaitState(id, "READY", Duration.ofSeconds(90));
          }
          Await.until(
              "one live process per engine after a kill -9 " + delay + " ms after the starts",
              Duration.ofSeconds(30),
              () -> ids.stream().allMatch(id -> groupsOf(id).size() == 1));
          for (String id : ids) {
            JsonNode engine = current.engine(id);
            Map<Long, List<Long>> groups = groupsOf(id);
            assertThat(groups.keySet())
                .as("engine %s runs as the process the registry holds", id)
                .containsExactly(engine.get("pid").asLong());
            List<String> reasons = reasons(current, id);
            long relaunches = reasons.stream().filter(r -> r.startsWith("ERROR->STARTING")).count();
            assertThat(relaunches)
                .as("relaunched at most once: %s", reasons)
                .isLessThanOrEqualTo(1);
            assertThat(launches(dataDir, id)).as("launched at most twice").isLessThanOrEqualTo(2);
            String outcome = relaunches == 1 ? "relaunched" : "adopted";
            if (logLines(dataDir, id).stream()
                .anyMatch(l -> l.contains("found by its engine id"))) {
              outcome += " by its launch intent";
            }
            if (reasons.stream().anyMatch(r -> r.contains("stopping orphan process group"))) {
              outcome += " + orphan stopped";
            }
            outcomes.merge(delay + " ms: " + outcome, 1, Integer::sum);
          }
          for (String id : ids) {
            Http.Response stopped =
                current.post("/v1/management/engines/" + id + "/stop?wait=true&drain=false", "");
            assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
            assertThat(stopped.json().get("state").asText()).isEqualTo("STOPPED");
            assertThat(groupsOf(id)).as("engine stop leaves no process of %s", id).isEmpty();
          }
        }
      }
      List<String> lastIds = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        lastIds.add(gateway.startEngine(mock("crash-last-" + i)));
      }
      killNineAfter(gateway, 3);
      gateway = gateway.restart();
      Sage.Result stop =
          Sage.run(Map.of(), 120, "gateway", "stop", "--data-dir", dataDir.toString());
      assertThat(stop.exitCode()).as(stop.all()).isZero();
      for (String id : lastIds) {
        assertThat(groupsOf(id)).as("gateway stop leaves no process of %s", id).isEmpty();
      }
      assertThat(Leftovers.processesUnder(dataDir)).as("gateway stop leaves nothing").isEmpty();
      System.out.println("LaunchCrashIT outcomes: " + outcomes);
    } finally {
      gateway.close();
      assertThat(Leftovers.killAll(dataDir)).as("processes left behind").isZero();
    }
  }

  @Test
  void theRestartBudgetIsNotRefilledByAGatewayRestart(@TempDir Path dataDir) {
    Map<String, String> env =
        Map.of(
            "SAGE_RESTART_MAX_RESTARTS", "2",
            "SAGE_RESTART_BACKOFF_INITIAL", "200ms",
            "SAGE_STARTUP_TIMEOUT_MOCK", "3s",
            "SAGE_STOP_GRACE_PERIOD", "1s");
    Gateway gateway = Gateway.start(dataDir, env);
    try {
      String id =
          gateway.startEngine(
              "{\"model\":\"crash-looping\",\"runtime\":\"mock\","
                  + "\"options\":{\"fail_health_after_s\":0}}");
      gateway.awaitEngine(id, Duration.ofSeconds(60), e -> e.get("restart_count").asInt() >= 1);
      gateway.kill9();
      gateway = gateway.restart();
      Gateway current = gateway;
      JsonNode gaveUp =
          current.awaitEngine(
              id,
              Duration.ofSeconds(90),
              e -> e.get("last_error").asText("").startsWith("gave up restarting"));
      List<String> reasons = reasons(current, id);
      // restart_count also counts a relaunch of a process the crash took (not a failure); the
      // budget counts automatic restarts only, and without the kept window the gateway restart
      // would have started again at 1/2
      assertThat(
              reasons.stream()
                  .filter(r -> r.startsWith("ERROR->STARTING: automatic restart "))
                  .map(
                      r ->
                          r.replaceFirst(
                              "^ERROR->STARTING: automatic restart (\\d+/\\d+) .*$", "$1"))
                  .toList())
          .as(
              "the window kept in the registry: no fresh budget after the gateway restart: %s",
              reasons)
          .containsExactly("1/2", "2/2");
      assertThat(gaveUp.get("state").asText()).isEqualTo("ERROR");
      assertThat(reasons)
          .anyMatch(
              r -> r.startsWith("ERROR->ERROR: gave up restarting: 2 restarts within 10 min"));
    } finally {
      gateway.close();
      assertThat(Leftovers.killAll(dataDir)).as("processes left behind").isZero();
    }
  }

  private static String mock(String model) {
    return "{\"model\":\"" + model + "\",\"runtime\":\"mock\",\"options\":{}}";
  }

  /** Events oldest first, as "FROM->TO: reason". */
  private static List<String> reasons(Gateway gateway, String id) {
    List<String> reasons = new ArrayList<>();
    gateway
        .get("/v1/management/engines/" + id + "/events?limit=200")
        .json()
        .get("events")
        .forEach(
            e ->
                reasons.add(
                    0,
                    e.get("from").asText()
                        + "->"
                        + e.get("to").asText()
                        + ": "
                        + e.get("reason").asText()));
    return reasons;
  }

  /** How often the gateway launched the engine, from the lines it writes into the engine's log. */
  private static long launches(Path dataDir, String id) throws IOException {
    return logLines(dataDir, id).stream().filter(l -> l.startsWith("[sage] launching ")).count();
  }

  private static List<String> logLines(Path dataDir, String id) throws IOException {
    Path log = dataDir.resolve("engines").resolve(id).resolve("engine.log");
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      return lines.toList();
    }
  }

  /** The live processes whose environment names the engine, by process group. */
  static Map<Long, List<Long>> groupsOf(String engineId) {
    byte[] wanted = ("SAGE_ENGINE_ID=" + engineId).getBytes(StandardCharsets.UTF_8);
    Map<Long, List<Long>> groups = new HashMap<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .forEach(
              p -> {
                try {
                  String stat = Files.readString(p.resolve("stat"));
                  String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                  if ("Z".equals(rest[0])
                      || !hasEntry(Files.readAllBytes(p.resolve("environ")), wanted)) {
                    return;
                  }
                  groups
                      .computeIfAbsent(Long.parseLong(rest[2]), g -> new ArrayList<>())
                      .add(Long.parseLong(p.getFileName().toString()));
                } catch (IOException | RuntimeException e) {
                  // gone meanwhile
                }
              });
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return groups;
  }

  private static boolean hasEntry(byte[] environ, byte[] entry) {
    int start = 0;
    for (int i = 0; i <= environ.length; i++) {
      if (i == environ.length || environ[i] == 0) {
        if (i - start == entry.length
            && java.util.Arrays.equals(environ, start, i, entry, 0, entry.length)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  /**
   * {@code kill -9} of the gateway {@code delayMs} after now (the injected fault's moment), waiting
   * for the kill to have happened (the process gone) with a deadline.
   */
  private static void killNineAfter(Gateway gateway, long delayMs) throws Exception {
    java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      timer
          .schedule(gateway::kill9, delayMs, java.util.concurrent.TimeUnit.MILLISECONDS)
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      timer.shutdownNow();
    }
  }
}

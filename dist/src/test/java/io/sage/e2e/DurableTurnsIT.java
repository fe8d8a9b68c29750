package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: a session turn the client saw acknowledged (a complete 200 answer, or a stream that
 * reached {@code [DONE]}) survives a {@code kill -9} of the gateway at any moment. Turns are sent
 * on several sessions at once, streamed and not; the gateway is killed after a random number of
 * acknowledged turns, restarted (the engine is adopted), and so on until 500 turns were
 * acknowledged; every one of them must then be stored.
 */
class DurableTurnsIT {
  private static final String MODEL = "durable-turns";
  private static final int WANTED = 500;
  private static final int CLIENTS = 4;

  @Test
  void acknowledgedTurnsSurviveKill9(@TempDir Path dataDir) throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Gateway gateway = Gateway.start(dataDir);
    try {
      String engine =
          gateway.startEngine("{\"model\":\"" + MODEL + "\",\"runtime\":\"mock\",\"options\":{}}");
      gateway.awaitState(engine, "READY", Duration.ofSeconds(60));
      List<String> sessions = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Http.Response created = gateway.post("/v1/sessions", "{\"title\":\"durable " + i + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        sessions.add(created.json().get("id").asText());
      }
      Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
      sessions.forEach(s -> acknowledged.put(s, ConcurrentHashMap.newKeySet()));
      AtomicInteger acked = new AtomicInteger();
      AtomicInteger turnNumber = new AtomicInteger();
      int kills = 0;
      while (acked.get() < WANTED) {
        // about four kills in 500 turns, each after a random number of them (a restart and the
        // engine's adoption take most of the test's time)
        int killAt = Math.min(WANTED, acked.get() + 40 + random.nextInt(160));
        Gateway current = gateway;
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> running = new ArrayList<>();
        for (String session : sessions) {
          running.add(
              clients.submit(
                  () -> {
                    while (true) {
                      String text = "turn-" + turnNumber.incrementAndGet();
                      boolean stream = (text.hashCode() & 1) == 0;
                      if (!turn(current, session, text, stream)) {
                        return; // the gateway is gone: this turn was not acknowledged
                      }
                      acknowledged.get(session).add(text);
                      acked.incrementAndGet();
                    }
                  }));
        }
        awaitAtLeast(acked, killAt, running);
        gateway.kill9(); // while the clients' next turns are in flight
        kills++;
        for (Future<?> client : running) {
          client.get();
        }
        clients.shutdownNow();
        gateway = gateway.restart();
        gateway.awaitState(engine, "READY", Duration.ofSeconds(60));
      }
      assertThat(kills).isGreaterThanOrEqualTo(1);

      int checked = 0;
      for (String session : sessions) {
        Http.Response detail = gateway.get("/v1/sessions/" + session);
        assertThat(detail.status()).as(detail.body()).isEqualTo(200);
        Set<String> storedOk = new HashSet<>();
        for (JsonNode message : detail.json().path("messages")) {
          if ("user".equals(message.path("role").asText())
              && "ok".equals(message.path("status").asText("ok"))) {
            storedOk.add(message.path("content").asText());
          }
        }
        Set<String> lost = new HashSet<>(acknowledged.get(session));
        lost.removeAll(storedOk);
        assertThat(lost)
            .as("acknowledged turns missing from session %s (seed %d)", session, seed)
            .isEmpty();
        checked += acknowledged.get(session).size();
      }
      assertThat(checked).isGreaterThanOrEqualTo(WANTED);
    } finally {
      gateway.close();
      assertThat(Leftovers.killAll(dataDir)).isZero();
    }
  }

  /** One turn; true only when the client got the whole answer (acknowledged). */
  private static boolean turn(Gateway gateway, String session, String text, boolean stream) {
    String body =
        "{\"model\":\""
            + MODEL
            + "\",\"session_id\":\""
            + session
            + "\",\"stream\":"
            + stream
            + ",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\""
            + text
            + "\"}]}";
    try {
      Http.Response response =
          Http.send(
              HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                  .timeout(Duration.ofSeconds(30))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body)));
      if (response.status() != 200) {
        return false;
      }
      if (stream) {
        return response.body().contains("data: [DONE]") && !response.body().contains("\"error\"");
      }
      return response.json().path("choices").size() > 0;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void awaitAtLeast(AtomicInteger counter, int value, List<Future<?>> clients) {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (counter.get() < value) {
      if (System.nanoTime() > deadline || clients.stream().allMatch(Future::isDone)) {
        throw new AssertionError("only " + counter.get() + " turns acknowledged, wanted " + value);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
  }
}

package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: the registry is never silently replaced (a lost, empty or damaged database refuses the
 * start, admin.key untouched), and {@code sage backup} under load plus {@code sage restore} into a
 * new data dir give a gateway with the same engines, keys and sessions.
 */
class CrashSafetyIT {

  @Test
  void emptyDatabaseRefusesToStartAndKeepsAdminKey(@TempDir Path dataDir) throws IOException {
    String key;
    try (Gateway gateway = Gateway.start(dataDir)) {
      key = gateway.adminKey();
    }
    Path database = dataDir.resolve("sage.mv.db");
    try (RandomAccessFile file = new RandomAccessFile(database.toFile(), "rw")) {
      file.setLength(0);
    }

    Sage.Result result = startOn(dataDir);

    assertThat(result.exitCode()).as(result.all()).isNotZero();
    assertThat(result.all())
        .contains("is empty (0 bytes)")
        .contains("has held a gateway")
        .contains("sage restore")
        .doesNotContain("\tat ");
    assertThat(Files.readString(dataDir.resolve("admin.key")).trim()).isEqualTo(key);
    assertThat(Files.size(database)).isZero();
    assertThat(Leftovers.processesUnder(dataDir)).isEmpty();
  }

  @Test
  void missingDatabaseRefusesToStart(@TempDir Path dataDir) throws IOException {
    String key;
    try (Gateway gateway = Gateway.start(dataDir)) {
      key = gateway.adminKey();
    }
    Files.delete(dataDir.resolve("sage.mv.db"));

    Sage.Result result = startOn(dataDir);

    assertThat(result.exitCode()).as(result.all()).isNotZero();
    assertThat(result.all()).contains("is missing").contains("admin.key").doesNotContain("\tat ");
    assertThat(Files.readString(dataDir.resolve("admin.key")).trim()).isEqualTo(key);
    assertThat(dataDir.resolve("sage.mv.db")).doesNotExist();
  }

  @Test
  void damagedDatabaseIsNamedInOneLine(@TempDir Path dataDir) throws IOException {
    try (Gateway gateway = Gateway.start(dataDir)) {
      gateway.startEngine(
          "{\"model\":\"crash-damaged\",\"runtime\":\"mock\",\"restart_policy\":\"never\"}");
    }
    Path database = dataDir.resolve("sage.mv.db");
    long size = Files.size(database);
    try (RandomAccessFile file = new RandomAccessFile(database.toFile(), "rw")) {
      file.setLength(size / 2);
    }

    Sage.Result result = startOn(dataDir);

    assertThat(result.exitCode()).as(result.all()).isNotZero();
    assertThat(result.all())
        .contains("the database " + database)
        .contains("sage restore")
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
    assertThat(Files.size(database)).isEqualTo(size / 2);
  }

  @Test
  void backupUnderLoadRestoresEnginesKeysAndSessions(@TempDir Path root) throws Exception {
    Path original = root.resolve("original");
    Path restored = root.resolve("restored");
    Path zip = root.resolve("backups/sage.zip");
    String engineId;
    String keyId;
    String sessionId;
    String adminKey;
    try (Gateway gateway = Gateway.start(original)) {
      adminKey = gateway.adminKey();
      engineId =
          gateway.startEngine("{\"model\":\"crash-backup\",\"runtime\":\"mock\",\"options\":{}}");
      gateway.awaitState(engineId, "READY", Duration.ofSeconds(60));
      Http.Response key =
          gateway.post("/v1/management/keys", "{\"name\":\"kept\",\"scope\":\"inference\"}");
      assertThat(key.status()).as(key.body()).isEqualTo(201);
      keyId = key.json().get("id").asText();
      Http.Response session = gateway.post("/v1/sessions", "{\"title\":\"kept\"}");
      assertThat(session.status()).as(session.body()).isEqualTo(201);
      sessionId = session.json().get("id").asText();
      Http.Response turn = gateway.post("/v1/chat/completions", chat(sessionId));
      assertThat(turn.status()).as(turn.body()).isEqualTo(200);
      awaitMessages(gateway, sessionId, 2);

      AtomicBoolean loading = new AtomicBoolean(true);
      AtomicInteger served = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      ExecutorService load = Executors.newFixedThreadPool(4);
      try {
        Future<?>[] workers = new Future<?>[4];
        for (int i = 0; i < workers.length; i++) {
          workers[i] =
              load.submit(
                  () -> {
                    while (loading.get()) {
                      int status = gateway.post("/v1/chat/completions", chat(null)).status();
                      (status == 200 ? served : failed).incrementAndGet();
                    }
                  });
        }
        awaitAtLeast(served, 20);
        Sage.Result backup =
            Sage.run(
                Map.of(),
                "backup",
                "--gateway",
                gateway.url(),
                "--api-key",
                adminKey,
                "--out",
                zip.toString());
        assertThat(backup.exitCode()).as(backup.all()).isZero();
        assertThat(backup.stdout()).contains("backup written to " + zip);
        int before = served.get();
        awaitAtLeast(served, before + 20);
        loading.set(false);
        for (Future<?> worker : workers) {
          worker.get();
        }
      } finally {
        loading.set(false);
        load.shutdownNow();
      }
      assertThat(failed.get()).as("requests failed during the backup").isZero();
    }
    assertThat(Leftovers.processesUnder(original)).isEmpty();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(zip)))
        .isEqualTo("rw-------");

    Sage.Result restore =
        Sage.run(Map.of(), "restore", zip.toString(), "--data-dir", restored.toString());
    assertThat(restore.exitCode()).as(restore.all()).isZero();
    Sage.Result again =
        Sage.run(Map.of(), "restore", zip.toString(), "--data-dir", restored.toString());
    assertThat(again.exitCode()).as(again.all()).isEqualTo(1);
    assertThat(again.all()).contains("--force");
    // the operator keeps the admin key; the restored database accepts the same keys
    Files.writeString(restored.resolve("admin.key"), adminKey + "\n");

    try (Gateway gateway = Gateway.start(restored)) {
      gateway.awaitState(engineId, "READY", Duration.ofSeconds(60));
      JsonNode keys = gateway.get("/v1/management/keys").json();
      assertThat(keys.toString()).contains(keyId);
      JsonNode messages = awaitMessages(gateway, sessionId, 2);
      assertThat(messages.toString()).contains("kept turn");
      Http.Response served = gateway.post("/v1/chat/completions", chat(null));
      assertThat(served.status()).as(served.body()).isEqualTo(200);
    }
    assertThat(Leftovers.killAll(restored)).isZero();
  }

  private static Sage.Result startOn(Path dataDir) {
    return Sage.run(
        Map.of(),
        "gateway",
        "start",
        "--port",
        Integer.toString(Ports.free()),
        "--data-dir",
        dataDir.toString(),
        "--timeout",
        "60");
  }

  private static String chat(String sessionId) {
    return "{\"model\":\"crash-backup\","
        + (sessionId == null ? "" : "\"session_id\":\"" + sessionId + "\",")
        + "\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"kept turn\"}]}";
  }

  private static JsonNode awaitMessages(Gateway gateway, String sessionId, int count) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      Http.Response response = gateway.get("/v1/sessions/" + sessionId);
      assertThat(response.status()).as(response.body()).isEqualTo(200);
      last = response.json();
      if (last.path("messages").size() >= count) {
        return last;
      }
      Gateway.sleep(50);
    }
    throw new AssertionError("session " + sessionId + " has not " + count + " messages: " + last);
  }

  private static void awaitAtLeast(AtomicInteger counter, int value) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (counter.get() < value) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + counter.get() + " requests served, wanted " + value);
      }
      Gateway.sleep(20);
    }
  }
}

package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.testkit.postgres.ThrowawayPostgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real gateway on a real PostgreSQL (docs/cluster.md): the store is the database named by
 * {@code db.url}, the password comes from the environment or a file, and a restart after {@code
 * kill -9} finds its engines (adopted, same pid), keys and sessions there.
 */
class PostgresGatewayIT {
  private static ThrowawayPostgres postgres;
  @TempDir Path dataDir;
  private Gateway gateway;

  @BeforeAll
  static void startPostgres() {
    postgres = ThrowawayPostgres.start();
  }

  @AfterAll
  static void removePostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @AfterEach
  void cleanUp() {
    if (gateway != null) {
      gateway.close();
    }
    assertThat(Leftovers.killAll(dataDir)).as("engine processes left behind").isZero();
  }

  private Map<String, String> environment(String url) {
    return Map.of(
        "SAGE_DB_URL",
        url,
        "SAGE_DB_USER",
        ThrowawayPostgres.USER,
        "SAGE_DB_PASSWORD",
        postgres.password());
  }

  @Test
  void aRestartAfterKillNineFindsEnginesKeysAndSessionsInPostgresql() throws Exception {
    String url = postgres.createDatabase("restart");
    gateway = Gateway.start(dataDir, environment(url));
    assertThat(dataDir.resolve("sage.mv.db"))
        .as("no H2 file: the store is PostgreSQL")
        .doesNotExist();

    String id =
        gateway.startEngine(
            "{\"model\":\"pg-chat\",\"runtime\":\"mock\",\"served_model_name\":\"pg-chat\"}");
    long pid = gateway.awaitState(id, "READY", Duration.ofSeconds(60)).get("pid").asLong();
    Http.Response created =
        gateway.post("/v1/management/keys", "{\"name\":\"app\",\"scope\":\"inference\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String inferenceKey = created.json().get("key").asText();
    Http.Response session = gateway.post("/v1/sessions", "{\"title\":\"kept\"}");
    assertThat(session.status()).as(session.body()).isEqualTo(201);
    String sessionId = session.json().get("id").asText();
    Http.Response chat =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"pg-chat\",\"session_id\":\""
                + sessionId
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"remember me\"}]}");
    assertThat(chat.status()).as(chat.body()).isEqualTo(200);
    Await.until(
        "the session's two messages",
        Duration.ofSeconds(30),
        () -> gateway.get("/v1/sessions/" + sessionId).json(),
        s -> s.get("messages").size() == 2);
    try (Connection connection =
            DriverManager.getConnection(url, ThrowawayPostgres.USER, postgres.password());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id, state FROM engines")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).isEqualTo(id);
      assertThat(rows.getString(2)).isEqualTo("READY");
    }

    gateway.kill9();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    // the second start reads db.url from the config file and the password from a file
    Files.writeString(dataDir.resolve("db.password"), postgres.password() + "\n");
    Files.writeString(
        dataDir.resolve("sage.yml"),
        "db:\n  url: "
            + url
            + "\n  user: "
            + ThrowawayPostgres.USER
            + "\n  password-file: db.password\n");
    gateway = Gateway.start(dataDir);

    JsonNode adopted = gateway.awaitState(id, "READY", Duration.ofSeconds(60));
    assertThat(adopted.get("pid").asLong()).as("adopted, not relaunched").isEqualTo(pid);
    assertThat(adopted.get("restart_count").asInt()).isZero();
    assertThat(gateway.get("/v1/management/engines/" + id + "/logs?tail=50").body())
        .contains("adopted running process");
    Http.Response withKey =
        Http.send(
            HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + inferenceKey)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"pg-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
    assertThat(withKey.status())
        .as("the key created before the restart: " + withKey.body())
        .isEqualTo(200);
    assertThat(withKey.header("x-sage-engine-id")).isEqualTo(id);
    JsonNode kept = gateway.get("/v1/sessions/" + sessionId).json();
    assertThat(kept.get("title").asText()).isEqualTo("kept");
    assertThat(kept.get("messages").get(0).get("content").asText()).isEqualTo("remember me");
    assertThat(dataDir.resolve("sage.mv.db")).doesNotExist();
    Http.Response backup = gateway.post("/v1/management/backup", "");
    assertThat(backup.status()).as(backup.body()).isEqualTo(409);
    assertThat(backup.json().at("/error/message").asText()).contains("pg_dump");
  }

  @Test
  void aSchemaNewerThanTheGatewayKnowsIsRefusedInOneLine() throws Exception {
    String url = postgres.createDatabase("newer");
    gateway = Gateway.start(dataDir, environment(url));
    gateway.close();
    gateway = null;
    try (Connection connection =
            DriverManager.getConnection(url, ThrowawayPostgres.USER, postgres.password());
        Statement statement = connection.createStatement()) {
      statement.execute(
          "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
              + " checksum, installed_by, execution_time, success) VALUES (900, '900', 'later',"
              + " 'SQL', 'V900__later.sql', 1, 'sage', 1, TRUE)");
    }

    Sage.Result refused =
        Sage.run(
            environment(url),
            "gateway",
            "start",
            "--port",
            Integer.toString(Ports.free()),
            "--data-dir",
            dataDir.toString());

    assertThat(refused.exitCode()).as(refused.all()).isNotZero();
    assertThat(refused.all())
        .contains(
            "error: the database postgresql://127.0.0.1:"
                + postgres.port()
                + "/newer has schema version 900, newer than this gateway knows");
    assertThat(refused.all()).doesNotContain("Exception").doesNotContain(postgres.password());
  }

  @Test
  void aWrongPasswordIsRefusedInOneLineWithoutThePassword() {
    String url = postgres.createDatabase("wrongpass");

    Sage.Result refused =
        Sage.run(
            Map.of(
                "SAGE_DB_URL",
                url,
                "SAGE_DB_USER",
                ThrowawayPostgres.USER,
                "SAGE_DB_PASSWORD",
                "not-the-password"),
            "gateway",
            "start",
            "--port",
            Integer.toString(Ports.free()),
            "--data-dir",
            dataDir.toString());

    assertThat(refused.exitCode()).as(refused.all()).isNotZero();
    assertThat(refused.all())
        .contains("error: cannot read the schema of the database postgresql://127.0.0.1:")
        .contains("password authentication failed")
        .doesNotContain("not-the-password")
        .doesNotContain("Exception");
  }
}

package io.sage.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway refuses a schema newer than it knows, on either database, in one line; two gateways
 * migrating one PostgreSQL at the same moment leave it migrated once (Flyway's lock).
 */
class SchemaCheckTest {
  @TempDir Path dataDir;

  @Test
  void aSchemaThisBuildKnowsPassesOnH2() {
    assertPasses(TestDatabase.h2(dataDir));
  }

  @Test
  void aSchemaThisBuildKnowsPassesOnPostgresql() {
    assertPasses(TestDatabase.postgres(dataDir));
  }

  @Test
  void aNewerSchemaIsRefusedOnH2() throws Exception {
    assertRefusesNewer(TestDatabase.h2(dataDir));
  }

  @Test
  void aNewerSchemaIsRefusedOnPostgresql() throws Exception {
    assertRefusesNewer(TestDatabase.postgres(dataDir));
  }

  @Test
  void anUnreachableDatabaseIsOneLine() {
    assertThatThrownBy(
            () ->
                SchemaCheck.refuseNewer(
                    DatabaseVendor.POSTGRESQL,
                    "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2",
                    "sage",
                    "wrong",
                    "postgresql://127.0.0.1:1/none"))
        .isInstanceOf(SchemaCheck.RefusedException.class)
        .hasMessageStartingWith(
            "cannot read the schema of the database postgresql://127.0.0.1:1/none")
        .hasMessageNotContaining("\n");
  }

  @Test
  void twoGatewaysMigratingOnePostgresqlAtOnceMigrateItOnce() throws Exception {
    TestDatabase database = TestDatabase.postgres(dataDir);
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<ApplicationContext>> starts = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      starts.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return database.start();
              }));
    }
    go.countDown();
    List<ApplicationContext> contexts = new ArrayList<>();
    try {
      for (CompletableFuture<ApplicationContext> start : starts) {
        contexts.add(start.get());
      }
      try (Connection connection = database.rawConnection();
          Statement statement = connection.createStatement();
          ResultSet rows =
              statement.executeQuery(
                  "SELECT version, COUNT(*) FROM flyway_schema_history WHERE version IS NOT NULL"
                      + " GROUP BY version HAVING COUNT(*) > 1")) {
        assertThat(rows.next()).as("a version applied twice").isFalse();
      }
      assertPasses(database);
    } finally {
      contexts.forEach(ApplicationContext::close);
    }
  }

  private static void assertPasses(TestDatabase database) {
    try (ApplicationContext context = database.start()) {
      assertThat(context.isRunning()).isTrue();
    }
    assertThatCode(() -> check(database)).doesNotThrowAnyException();
  }

  private static void assertRefusesNewer(TestDatabase database) throws Exception {
    database.start().close();
    try (Connection connection = database.rawConnection();
        Statement statement = connection.createStatement()) {
      // what a later gateway's migration leaves behind
      statement.execute(
          "INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\","
              + " \"description\", \"type\", \"script\", \"checksum\", \"installed_by\","
              + " \"execution_time\", \"success\") VALUES (900, '900', 'from the future', 'SQL',"
              + " 'V900__from_the_future.sql', 1, 'sage', 1, TRUE)");
    }

    assertThatThrownBy(() -> check(database))
        .isInstanceOf(SchemaCheck.RefusedException.class)
        .hasMessageContaining("has schema version 900, newer than this gateway knows (up to ")
        .hasMessageContaining("upgrade this one")
        .hasMessageNotContaining("\n");
  }

  private static void check(TestDatabase database) {
    SchemaCheck.refuseNewer(
        database.vendor(), database.url(), database.user(), database.password(), "the test's");
  }
}

package io.sage.db;

import io.micronaut.context.ApplicationContext;
import io.sage.testkit.postgres.ThrowawayPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * One real database for a store test, with the exact keys the gateway sets, so the real Flyway
 * migrations of that vendor run: an H2 file in a folder, or a fresh database in the test run's
 * throwaway PostgreSQL cluster ({@link ThrowawayPostgres#shared}).
 */
public abstract class TestDatabase {
  /** The H2 file database {@code <dataDir>/sage.mv.db}, as the gateway opens it. */
  public static TestDatabase h2(Path dataDir) {
    return new TestDatabase(DatabaseVendor.H2, H2Urls.fileUrl(dataDir), "sa", "", dataDir) {
      @Override
      public void refuseEventsWithReason(String reason) throws SQLException {
        try (Connection connection = rawConnection();
            Statement statement = connection.createStatement()) {
          statement.execute(
              "CREATE TRIGGER refuse_events BEFORE INSERT ON engine_events FOR EACH ROW CALL '"
                  + io.sage.db.engine.RefuseEventTrigger.class.getName()
                  + "'");
        }
      }
    };
  }

  /** A new, empty database in the shared PostgreSQL cluster; secrets keyed in {@code dataDir}. */
  public static TestDatabase postgres(Path dataDir) {
    ThrowawayPostgres cluster = ThrowawayPostgres.shared();
    return new TestDatabase(
        DatabaseVendor.POSTGRESQL,
        cluster.createDatabase(),
        ThrowawayPostgres.USER,
        cluster.password(),
        dataDir) {
      @Override
      public void refuseEventsWithReason(String reason) throws SQLException {
        try (Connection connection = rawConnection();
            Statement statement = connection.createStatement()) {
          statement.execute(
              "CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                  + " IF NEW.reason = '"
                  + reason.replace("'", "''")
                  + "' THEN RAISE EXCEPTION 'test trigger refused the event'; END IF;"
                  + " RETURN NEW; END $$");
          statement.execute(
              "CREATE TRIGGER refuse_events BEFORE INSERT ON engine_events FOR EACH ROW"
                  + " EXECUTE FUNCTION refuse_event()");
        }
      }
    };
  }

  private final DatabaseVendor vendor;
  private final String url;
  private final String user;
  private final String password;
  private final Path dataDir;

  private TestDatabase(
      DatabaseVendor vendor, String url, String user, String password, Path dataDir) {
    this.vendor = vendor;
    this.url = url;
    this.user = user;
    this.password = password;
    this.dataDir = dataDir;
  }

  public DatabaseVendor vendor() {
    return vendor;
  }

  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** The datasource and Flyway keys, as the gateway's wiring sets them. */
  public Map<String, Object> properties() {
    Map<String, Object> properties = new HashMap<>();
    properties.put("datasources.default.url", url);
    properties.put("datasources.default.driver-class-name", vendor.driverClassName());
    properties.put("datasources.default.username", user);
    properties.put("datasources.default.password", password);
    properties.put("datasources.default.dialect", vendor.dialect());
    properties.put("flyway.datasources.default.enabled", true);
    properties.put("flyway.datasources.default.locations", vendor.locations());
    properties.put("sage.data-dir", dataDir.toString());
    return properties;
  }

  /** Starts an application context on this database (migrating it). */
  public ApplicationContext start() {
    return start(Map.of());
  }

  /** Starts an application context on this database with more properties (a node id). */
  public ApplicationContext start(Map<String, Object> more) {
    Map<String, Object> all = new HashMap<>(properties());
    all.putAll(more);
    return ApplicationContext.builder().deduceEnvironment(false).properties(all).start();
  }

  /** A plain connection, outside Micronaut's transactions. */
  public Connection rawConnection() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  /**
   * An instant as this database keeps it: H2's TIMESTAMP(9) keeps nanoseconds, PostgreSQL's
   * timestamps keep microseconds (it reads TIMESTAMP(9) as TIMESTAMP(6)).
   */
  public Instant stored(Instant instant) {
    return switch (vendor) {
      case H2 -> instant;
      case POSTGRESQL -> instant.truncatedTo(ChronoUnit.MICROS);
    };
  }

  /** Makes the database refuse, inside the transaction, an engine event with this reason. */
  public abstract void refuseEventsWithReason(String reason) throws SQLException;

  @Override
  public String toString() {
    return vendor + " " + url;
  }
}

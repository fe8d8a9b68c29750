package io.sage.gateway.wiring;

import io.sage.db.DatabaseVendor;
import io.sage.db.H2Urls;
import io.sage.db.SchemaCheck;
import io.sage.gateway.config.ConfigFile;
import io.sage.gateway.config.DbConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where the gateway's database lives: the H2 file in the data dir (the default), or the PostgreSQL
 * database of {@code sage.db.url}. With the db beans constructed by Micronaut, this and the wiring
 * are the only gateway code that knows the db module; everything else uses the store ports of
 * core/host ({@code io.sage.host.store}).
 *
 * <p>Resolved before the application context exists (the datasource is built from it), so it reads
 * {@code sage.db.*} itself, with the precedence of every other setting: {@code -D} system
 * properties, then the environment ({@code SAGE_DB_URL}, {@code SAGE_DB_USER}, {@code
 * SAGE_DB_PASSWORD_FILE}), then the config file. The password comes only from {@code
 * SAGE_DB_PASSWORD} or the password file.
 *
 * @param vendor which database
 * @param url the JDBC URL
 * @param user the user
 * @param password the password ("" when none)
 * @param where the database as shown to operators: the URL without its query string
 */
public record DatabaseSettings(
    DatabaseVendor vendor, String url, String user, String password, String where) {
  /** The environment variable holding the PostgreSQL password. */
  public static final String PASSWORD_VARIABLE = "SAGE_DB_PASSWORD";

  /** How long a call waits for a database connection before it fails (503 on the API). */
  static final long CONNECTION_TIMEOUT_MILLIS = 3000;

  @Override
  public String toString() {
    return vendor + " " + where; // never the password
  }

  /** The embedded H2 file database of {@code dataDir}. */
  public static DatabaseSettings h2(Path dataDir) {
    String url = H2Urls.fileUrl(dataDir);
    return new DatabaseSettings(
        DatabaseVendor.H2, url, "sa", "", DataDirGuard.databaseFile(dataDir).toString());
  }

  /** The settings of this process: its system properties, environment and config file. */
  public static DatabaseSettings of(Path dataDir, ConfigFile.Loaded config) {
    return resolve(dataDir, config.properties(), System.getenv(), System.getProperties());
  }

  /**
   * Resolves the settings from the given sources.
   *
   * @throws IllegalArgumentException naming the key when a value is unusable (a bad URL, an
   *     unreadable password file)
   */
  static DatabaseSettings resolve(
      Path dataDir, Map<String, Object> file, Map<String, String> env, Properties system) {
    DbConfig config =
        new DbConfig(
            value("url", file, env, system),
            value("user", file, env, system),
            value("password-file", file, env, system));
    if (!config.external()) {
      return h2(dataDir);
    }
    String password = env.get(PASSWORD_VARIABLE);
    if (!config.passwordFile().isEmpty()) {
      password = readPassword(dataDir.resolve(config.passwordFile()));
    }
    int query = config.url().indexOf('?');
    String where = query >= 0 ? config.url().substring(0, query) : config.url();
    return new DatabaseSettings(
        DatabaseVendor.POSTGRESQL,
        config.url(),
        config.user(),
        password == null ? "" : password,
        where.replaceFirst("^jdbc:", ""));
  }

  private static String value(
      String key, Map<String, Object> file, Map<String, String> env, Properties system) {
    return EarlySettings.value("sage.db." + key, file, env, system);
  }

  private static String readPassword(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "db.password-file: cannot read " + file + ": " + e.getMessage());
    }
  }

  /** The datasource and Flyway properties for the application context. */
  public Map<String, Object> properties() {
    Map<String, Object> properties = new HashMap<>();
    properties.put("datasources.default.url", url);
    properties.put("datasources.default.driver-class-name", vendor.driverClassName());
    properties.put("datasources.default.username", user);
    properties.put("datasources.default.password", password);
    properties.put("datasources.default.dialect", vendor.dialect());
    properties.put("flyway.datasources.default.locations", vendor.locations());
    if (vendor == DatabaseVendor.POSTGRESQL) {
      // a database that went away answers a management write within seconds (503), not after
      // Hikari's default 30 s wait for a connection (docs/cluster.md)
      properties.put("datasources.default.connection-timeout", CONNECTION_TIMEOUT_MILLIS);
      properties.put("datasources.default.validation-timeout", CONNECTION_TIMEOUT_MILLIS - 1000);
    }
    return properties;
  }

  /**
   * Refuses, with one line, a database this gateway must not open: for H2 what {@link DataDirGuard}
   * refuses; for both a schema newer than this build knows, or (PostgreSQL) a database that cannot
   * be reached.
   *
   * @throws RuntimeException whose message is the whole story for the operator
   */
  public void check(Path dataDir) {
    closeQuietly(checkAndHold(dataDir));
  }

  /**
   * {@link #check}, leaving an H2 database open: the connection the checks ran on (null when there
   * is nothing to hold: a new data dir, PostgreSQL). The caller closes it once its connection pool
   * is open, so the file is opened once per start, not three times (guard, schema check, pool).
   *
   * @throws RuntimeException whose message is the whole story for the operator
   */
  public Connection checkAndHold(Path dataDir) {
    return switch (vendor) {
      case H2 -> {
        Connection held = DataDirGuard.checkAndHold(dataDir);
        if (held != null) {
          try {
            SchemaCheck.refuseNewer(vendor, url + ";IFEXISTS=TRUE", user, password, where);
          } catch (RuntimeException e) {
            closeQuietly(held);
            throw e;
          }
        }
        yield held;
      }
      case POSTGRESQL -> {
        SchemaCheck.refuseNewer(vendor, url, user, password, where);
        yield null;
      }
    };
  }

  /** Closes what {@link #checkAndHold} returned; null is nothing to close. */
  public static void closeQuietly(Connection held) {
    if (held != null) {
      try {
        held.close();
      } catch (SQLException e) {
        // the pool has the database open by now, or the next open reports what is wrong
      }
    }
  }
}

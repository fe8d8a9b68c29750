package io.sage.db;

import java.util.List;
import java.util.Locale;

/**
 * The databases the gateway's store runs on, told apart by the JDBC URL. Each has the Flyway
 * locations it migrates from: the shared folder {@code db/migration}, whose SQL runs on both, and
 * one folder of its own for the few migrations whose types differ (docs/decisions.md).
 */
public enum DatabaseVendor {
  /** The embedded default: {@code <data-dir>/sage.mv.db}. */
  H2("org.h2.Driver", "H2", "classpath:db/migration-h2"),
  /** {@code sage.db.url=jdbc:postgresql://...}: one database several gateways share. */
  POSTGRESQL("org.postgresql.Driver", "POSTGRES", "classpath:db/migration-postgresql");

  /** Where migrations that run on every vendor live; new migrations go here. */
  public static final String SHARED_LOCATION = "classpath:db/migration";

  private final String driverClassName;
  private final String dialect;
  private final String ownLocation;

  DatabaseVendor(String driverClassName, String dialect, String ownLocation) {
    this.driverClassName = driverClassName;
    this.dialect = dialect;
    this.ownLocation = ownLocation;
  }

  /**
   * The vendor of a JDBC URL.
   *
   * @throws IllegalArgumentException for a URL of any other database
   */
  public static DatabaseVendor of(String url) {
    String lower = url == null ? "" : url.trim().toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:h2:")) {
      return H2;
    }
    if (lower.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "db.url must be a PostgreSQL JDBC URL (jdbc:postgresql://HOST:PORT/DATABASE), got '"
            + url
            + "'");
  }

  /** The JDBC driver's class. */
  public String driverClassName() {
    return driverClassName;
  }

  /** Micronaut Data's name of the dialect ({@code datasources.default.dialect}). */
  public String dialect() {
    return dialect;
  }

  /** Flyway's locations for this vendor: the shared folder first, then its own. */
  public List<String> locations() {
    return List.of(SHARED_LOCATION, ownLocation);
  }
}

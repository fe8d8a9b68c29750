package io.sage.db;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;

/**
 * Refuses, before the gateway starts, a database whose schema is newer than this build's
 * migrations: another gateway of a later version migrated it (several share one PostgreSQL), or a
 * data dir came back from a newer install. Flyway alone would start on it (it ignores future
 * migrations by default) and this gateway would then write rows a newer schema may not accept.
 */
public final class SchemaCheck {
  private SchemaCheck() {}

  /** Why a start was refused; the message is one line for the operator. */
  public static final class RefusedException extends RuntimeException {
    RefusedException(String message) {
      super(message);
    }
  }

  /**
   * Reads the database's migration history and compares it with the migrations this build holds.
   *
   * @param where the database as shown to the operator (no credentials)
   * @throws RefusedException when the database holds a migration this build does not know, or
   *     cannot be reached
   */
  public static void refuseNewer(
      DatabaseVendor vendor, String url, String user, String password, String where) {
    MigrationInfo[] all;
    try {
      all =
          Flyway.configure(SchemaCheck.class.getClassLoader())
              .dataSource(url, user, password)
              .locations(vendor.locations().toArray(String[]::new))
              .load()
              .info()
              .all();
    } catch (FlywayException e) {
      throw new RefusedException(
          "cannot read the schema of the database " + where + ": " + firstLine(e));
    }
    Optional<MigrationVersion> newest =
        Arrays.stream(all)
            .filter(SchemaCheck::isFuture)
            .map(MigrationInfo::getVersion)
            .max(Comparator.naturalOrder());
    if (newest.isEmpty()) {
      return;
    }
    String known =
        Arrays.stream(all)
            .filter(info -> !isFuture(info) && info.getVersion() != null)
            .map(MigrationInfo::getVersion)
            .max(Comparator.naturalOrder())
            .map(MigrationVersion::getVersion)
            .orElse("none");
    throw new RefusedException(
        "the database "
            + where
            + " has schema version "
            + newest.get().getVersion()
            + ", newer than this gateway knows (up to "
            + known
            + "): it was migrated by a newer gateway; upgrade this one, or start it on another"
            + " database");
  }

  private static boolean isFuture(MigrationInfo info) {
    MigrationState state = info.getState();
    return state == MigrationState.FUTURE_SUCCESS || state == MigrationState.FUTURE_FAILED;
  }

  private static String firstLine(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    return message.strip().lines().findFirst().orElse("no details");
  }
}

package io.sage.db;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Builds the JDBC URL of the gateway's H2 database, the value of {@code datasources.default.url}.
 *
 * <p>Why each setting:
 *
 * <ul>
 *   <li>{@code WRITE_DELAY=0}: H2 2.x maps it to the MVStore auto-commit delay. At 0 the background
 *       writer is off and every committed transaction writes its chunk to the file before {@code
 *       commit()} returns; the default of 500 ms would lose the last half second of acknowledged
 *       writes on {@code kill -9}. The data reaches the OS page cache, which a killed process
 *       cannot lose (a power cut can: that needs fsync, not asked for here). Concurrent commits can
 *       still skip that write: {@link DurableWrites} closes the gap.
 *   <li>{@code DB_CLOSE_ON_EXIT=FALSE}: H2's own shutdown hook would close the database while the
 *       gateway's shutdown still writes the last transitions (drained engines going STOPPED); the
 *       connection pool closes it instead when the application context stops.
 *   <li>No {@code AUTO_SERVER}: one gateway owns the file. The default file lock is an OS lock on
 *       the {@code .mv.db} file, which the OS drops when the process dies, so a restart after
 *       {@code kill -9} opens the file at once; MVStore then rolls back what was not committed.
 * </ul>
 */
public final class H2Urls {
  /** The database file's base name: H2 adds {@code .mv.db}. */
  public static final String DATABASE_NAME = "sage";

  private static final String SETTINGS = ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";

  private H2Urls() {}

  /**
   * The URL of the file database {@code <dataDir>/sage.mv.db}.
   *
   * @param dataDir the gateway's data dir; made absolute, because H2 refuses implicitly relative
   *     paths
   * @throws IllegalArgumentException when the path contains {@code ;}, which H2 would read as a
   *     setting separator
   */
  public static String fileUrl(Path dataDir) {
    Objects.requireNonNull(dataDir, "dataDir");
    String path = dataDir.toAbsolutePath().normalize().resolve(DATABASE_NAME).toString();
    if (path.indexOf(';') >= 0) {
      throw new IllegalArgumentException(
          "data dir must not contain ';' (H2 reads it as a setting separator): " + dataDir);
    }
    return "jdbc:h2:file:" + path + SETTINGS;
  }
}

package io.sage.db;

import java.nio.file.Path;

/** JDBC URLs of the gateway's H2 database. */
public final class H2Urls {
  private H2Urls() {}

  /** A file database in the data dir; every commit is written at once (survives kill -9). */
  public static String fileUrl(Path dataDir) {
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("sage") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
  }
}

package io.sage.db;

import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts an application context on a real H2 file database in a directory, with the exact keys the
 * gateway sets, so the real Flyway migrations run.
 */
public final class TestDatabases {
  private TestDatabases() {}

  public static Map<String, Object> properties(Path dataDir) {
    return TestDatabase.h2(dataDir).properties();
  }

  public static ApplicationContext start(Path dataDir) {
    return ApplicationContext.builder()
        .deduceEnvironment(false)
        .properties(properties(dataDir))
        .start();
  }
}

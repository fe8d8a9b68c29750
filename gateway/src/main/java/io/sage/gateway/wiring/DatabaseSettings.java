package io.sage.gateway.wiring;

import io.sage.db.H2Urls;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the gateway's database lives. With the db beans constructed by Micronaut, this and the
 * wiring are the only gateway code that knows the db module; everything else uses the store ports
 * of core/host ({@code io.sage.host.store}).
 */
public final class DatabaseSettings {
  private DatabaseSettings() {}

  /** The datasource properties for the H2 file database in {@code dataDir}. */
  public static Map<String, Object> properties(Path dataDir) {
    return Map.of("datasources.default.url", H2Urls.fileUrl(dataDir));
  }
}

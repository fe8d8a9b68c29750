package io.sage.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-vendor split of the migrations (docs/decisions.md) must leave every H2 database made
 * before it valid: same versions, same checksums, nothing to re-run.
 */
class MigrationLayoutTest {
  /**
   * Flyway's checksums of the H2 migrations as first applied (from the single db/migration folder
   * before the split). An applied migration is never edited: a change here breaks every existing
   * data dir ("Validate failed: Migration checksum mismatch").
   */
  private static final Map<String, Integer> APPLIED_H2_CHECKSUMS =
      Map.of("1", -709189914, "2", 1688538158, "3", 1402426364, "12", 290199363);

  @Test
  void theH2MigrationsKeepTheirChecksums() {
    Map<String, Integer> checksums = new LinkedHashMap<>();
    for (MigrationInfo info : infos(DatabaseVendor.H2, "jdbc:h2:mem:layout1")) {
      checksums.put(info.getVersion().getVersion(), info.getChecksum());
    }
    assertThat(checksums).containsAllEntriesOf(APPLIED_H2_CHECKSUMS);
  }

  @Test
  void aDatabaseMigratedFromOneFolderStaysValidUnderTheSplit(@TempDir Path dir) throws IOException {
    // the layout before the split: every H2 migration in one folder
    Path old = Files.createDirectories(dir.resolve("old"));
    for (MigrationInfo info : infos(DatabaseVendor.H2, "jdbc:h2:mem:layout2")) {
      String script = info.getScript();
      String folder = script.startsWith("V2__") ? "db/migration-h2/" : "db/migration/";
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(folder + script)) {
        Files.copy(in, old.resolve(script));
      }
    }
    Path dataDir = Files.createDirectories(dir.resolve("data"));
    String url = H2Urls.fileUrl(dataDir);
    Flyway.configure().dataSource(url, "sa", "").locations("filesystem:" + old).load().migrate();

    try (ApplicationContext context = TestDatabase.h2(dataDir).start()) {
      assertThat(context.isRunning()).isTrue();
    }
    MigrationInfo[] after = infos(DatabaseVendor.H2, url);
    assertThat(after)
        .as("every migration applied once, none pending, none re-run")
        .allSatisfy(info -> assertThat(info.getState()).isEqualTo(MigrationState.SUCCESS));
  }

  @Test
  void postgresqlHasTheSameVersionsAsH2() {
    List<String> h2 = versions(DatabaseVendor.H2);
    assertThat(versions(DatabaseVendor.POSTGRESQL)).isEqualTo(h2);
  }

  private static List<String> versions(DatabaseVendor vendor) {
    return Arrays.stream(infos(vendor, "jdbc:h2:mem:versions" + vendor))
        .map(info -> info.getVersion().getVersion())
        .toList();
  }

  private static MigrationInfo[] infos(DatabaseVendor vendor, String url) {
    return Flyway.configure()
        .dataSource(url, "sa", "")
        .locations(vendor.locations().toArray(String[]::new))
        .load()
        .info()
        .all();
  }
}

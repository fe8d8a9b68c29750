package io.sage.gateway.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.db.DatabaseVendor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseSettingsTest {
  private static final String PG = "jdbc:postgresql://db.example:5432/sage";
  @TempDir Path dataDir;

  @Test
  void noUrlIsTheH2FileInTheDataDirWithItsOwnMigrations() {
    DatabaseSettings settings =
        DatabaseSettings.resolve(dataDir, Map.of(), Map.of(), new Properties());

    assertThat(settings.vendor()).isEqualTo(DatabaseVendor.H2);
    assertThat(settings.properties())
        .containsEntry("datasources.default.url", io.sage.db.H2Urls.fileUrl(dataDir))
        .containsEntry("datasources.default.username", "sa")
        .containsEntry(
            "flyway.datasources.default.locations",
            java.util.List.of("classpath:db/migration", "classpath:db/migration-h2"));
  }

  @Test
  void aPostgresqlUrlFromTheFileWithThePasswordFromTheEnvironment() {
    DatabaseSettings settings =
        DatabaseSettings.resolve(
            dataDir,
            Map.of("sage.db.url", PG, "sage.db.user", "sage"),
            Map.of("SAGE_DB_PASSWORD", "s3cret"),
            new Properties());

    assertThat(settings.vendor()).isEqualTo(DatabaseVendor.POSTGRESQL);
    assertThat(settings.properties())
        .containsEntry("datasources.default.url", PG)
        .containsEntry("datasources.default.driver-class-name", "org.postgresql.Driver")
        .containsEntry("datasources.default.username", "sage")
        .containsEntry("datasources.default.password", "s3cret")
        .containsEntry("datasources.default.dialect", "POSTGRES")
        .containsEntry("datasources.default.connection-timeout", 3000L)
        .containsEntry(
            "flyway.datasources.default.locations",
            java.util.List.of("classpath:db/migration", "classpath:db/migration-postgresql"));
    assertThat(settings.toString()).doesNotContain("s3cret").contains("postgresql://db.example");
  }

  @Test
  void systemPropertiesBeatTheEnvironmentWhichBeatsTheFile() {
    Properties system = new Properties();
    system.setProperty("sage.db.user", "from-d");
    DatabaseSettings settings =
        DatabaseSettings.resolve(
            dataDir,
            Map.of("sage.db.url", "jdbc:postgresql://file/x", "sage.db.user", "from-file"),
            Map.of("SAGE_DB_URL", PG, "SAGE_DB_USER", "from-env"),
            system);

    assertThat(settings.url()).isEqualTo(PG);
    assertThat(settings.user()).isEqualTo("from-d");
  }

  @Test
  void thePasswordFileBeatsTheVariableAndIsReadRelativeToTheDataDir() throws Exception {
    Files.writeString(dataDir.resolve("db.password"), "from-file\nignored\n");

    DatabaseSettings settings =
        DatabaseSettings.resolve(
            dataDir,
            Map.of("sage.db.url", PG, "sage.db.password-file", "db.password"),
            Map.of("SAGE_DB_PASSWORD", "from-env"),
            new Properties());

    assertThat(settings.password()).isEqualTo("from-file");
  }

  @Test
  void badSettingsNameTheKey() {
    assertThatThrownBy(
            () ->
                DatabaseSettings.resolve(
                    dataDir, Map.of("sage.db.url", "jdbc:mysql://x/y"), Map.of(), new Properties()))
        .hasMessageContaining("db.url must be empty");
    assertThatThrownBy(
            () ->
                DatabaseSettings.resolve(
                    dataDir, Map.of(), Map.of("SAGE_DB_URL", PG + "?password=x"), new Properties()))
        .hasMessageContaining("must not carry the password");
    assertThatThrownBy(
            () ->
                DatabaseSettings.resolve(
                    dataDir,
                    Map.of("sage.db.url", PG, "sage.db.password-file", "missing"),
                    Map.of(),
                    new Properties()))
        .hasMessageContaining("db.password-file: cannot read");
  }
}

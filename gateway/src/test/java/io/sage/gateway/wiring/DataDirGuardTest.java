package io.sage.gateway.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.db.H2Urls;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guard against a database H2 would silently open in an older state, on real H2 files. */
class DataDirGuardTest {

  private static void fill(Path dataDir) throws Exception {
    try (Connection connection = DriverManager.getConnection(H2Urls.fileUrl(dataDir), "sa", "");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(1000))");
      for (int round = 0; round < 20; round++) {
        statement.execute(
            "INSERT INTO t SELECT X + "
                + round * 100
                + ", REPEAT('x', 900) FROM SYSTEM_RANGE(1, 100)");
        statement.execute("CHECKPOINT");
      }
    }
  }

  @Test
  void aCleanlyClosedFileCutShortIsRefusedNamingWhy(@TempDir Path dataDir) throws Exception {
    fill(dataDir);
    Path database = DataDirGuard.databaseFile(dataDir);
    long size = Files.size(database);
    DataDirGuard.check(dataDir); // whole: passes
    try (RandomAccessFile file = new RandomAccessFile(database.toFile(), "rw")) {
      file.setLength(size / 2);
    }
    assertThatThrownBy(() -> DataDirGuard.check(dataDir))
        .isInstanceOf(DataDirGuard.RefusedException.class)
        .hasMessageContaining("is damaged")
        .hasMessageContaining("cut short")
        .hasMessageContaining("sage restore");
    assertThat(Files.size(database)).isEqualTo(size / 2);
  }

  @Test
  void aFileWithoutACleanHeaderIsLeftToH2(@TempDir Path dataDir) throws Exception {
    Path database = dataDir.resolve("x.mv.db");
    Files.writeString(database, "H:2,blockSize:1000,created:1,format:3\n");
    assertThat(DataDirGuard.truncation(database, Files.size(database))).isEmpty();
    Files.writeString(database, "H:2,block:e,blockSize:1000,chunk:3b,clean:1,format:3\n");
    assertThat(DataDirGuard.truncation(database, 61440)).isEmpty();
    assertThat(DataDirGuard.truncation(database, 57344)).get().asString().contains("cut short");
  }
}

package io.sage.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2UrlsTest {

  @Test
  void urlPointsAtTheDatabaseFileInsideTheDataDirWithoutWriteDelay(@TempDir Path dir) {
    String url = H2Urls.fileUrl(dir.resolve("data"));

    assertThat(url)
        .isEqualTo(
            "jdbc:h2:file:"
                + dir.resolve("data").resolve("sage")
                + ";WRITE_DELAY=0"
                + ";DB_CLOSE_ON_EXIT=FALSE");
  }

  @Test
  void relativeDataDirBecomesAbsolute() {
    String url = H2Urls.fileUrl(Path.of("some", "..", "relative"));

    assertThat(url).startsWith("jdbc:h2:file:" + Path.of("relative").toAbsolutePath() + "/sage;");
  }

  @Test
  void semicolonInPathIsRejected() {
    assertThatThrownBy(() -> H2Urls.fileUrl(Path.of("/tmp/a;b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a;b");
  }

  @Test
  void h2AcceptsTheUrlAndAppliesWriteDelayZero(@TempDir Path dir) throws Exception {
    try (Connection connection = DriverManager.getConnection(H2Urls.fileUrl(dir), "sa", "");
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).isEqualTo("0");
    }
    assertThat(dir.resolve("sage.mv.db")).exists();
  }
}

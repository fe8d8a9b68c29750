package io.sage.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayJvmTest {
  @TempDir Path dataDir;

  @Test
  void firstStartRecordsTheClassArchiveAndLaterStartsMapIt() throws Exception {
    Path jar = Files.writeString(dataDir.resolve("a.jar"), "x");
    List<String> first = GatewayJvm.options(dataDir, jar.toString(), null);
    Path archive = GatewayJvm.archive(dataDir, jar.toString());
    assertThat(archive.getParent()).isEqualTo(dataDir.resolve("cache"));
    assertThat(first).startsWith(GatewayJvm.BASE.toArray(String[]::new));
    assertThat(first).contains("-XX:ArchiveClassesAtExit=" + archive);

    Files.writeString(archive, "archive");
    List<String> later = GatewayJvm.options(dataDir, jar.toString(), null);
    assertThat(later).contains("-XX:SharedArchiveFile=" + archive);
    assertThat(later).noneMatch(option -> option.startsWith("-XX:ArchiveClassesAtExit"));
  }

  @Test
  void aChangedClassPathGetsItsOwnArchive() throws Exception {
    Path jar = Files.writeString(dataDir.resolve("a.jar"), "x");
    Path before = GatewayJvm.archive(dataDir, jar.toString());
    Files.writeString(jar, "a longer jar after an upgrade");
    assertThat(GatewayJvm.archive(dataDir, jar.toString())).isNotEqualTo(before);
  }

  @Test
  void theOperatorsFlagsComeLastSoTheyWin() {
    List<String> options = GatewayJvm.options(dataDir, "", " -Xmx4g  -Dx=y ");
    assertThat(options.subList(options.size() - 2, options.size()))
        .containsExactly("-Xmx4g", "-Dx=y");
    assertThat(options).contains("-Xmx1g", "-XX:+UseSerialGC", "-Xms32m");
  }
}

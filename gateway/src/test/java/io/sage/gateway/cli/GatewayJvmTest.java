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
    assertThat(archive.getParent()).isEqualTo(dataDir);
    assertThat(first).startsWith(GatewayJvm.BASE.toArray(String[]::new));
    assertThat(first).contains("-XX:ArchiveClassesAtExit=" + archive);
    // a second gateway starting while the first records runs without the archive
    assertThat(GatewayJvm.options(dataDir, jar.toString(), null))
        .noneMatch(option -> option.contains("Archive"));

    Files.writeString(archive, "archive");
    List<String> later = GatewayJvm.options(dataDir, jar.toString(), null);
    assertThat(later).contains("-XX:SharedArchiveFile=" + archive);
    assertThat(later).noneMatch(option -> option.startsWith("-XX:ArchiveClassesAtExit"));
  }

  @Test
  void theCacheIsTheUsersWhenWritableElseTheDataDirs() throws Exception {
    Path xdg = dataDir.resolve("xdg");
    assertThat(GatewayJvm.cacheDir(java.util.Map.of("XDG_CACHE_HOME", xdg.toString()), dataDir))
        .isEqualTo(xdg.resolve("sage"));
    Path blocked = Files.writeString(dataDir.resolve("file"), "not a folder");
    assertThat(GatewayJvm.cacheDir(java.util.Map.of("XDG_CACHE_HOME", blocked.toString()), dataDir))
        .isNotEqualTo(blocked.resolve("sage"));
  }

  @Test
  void recordingANewArchivePrunesOldBuildsArchives() throws Exception {
    for (int i = 0; i < 5; i++) {
      Path old = Files.writeString(dataDir.resolve("gateway-00" + i + ".jsa"), "old");
      old.toFile().setLastModified(1_000_000L * (i + 1));
      // bin/sage's archives of the CLI JVM, in the same folder
      Path cli = Files.writeString(dataDir.resolve("cli-10" + i + ".jsa"), "old");
      cli.toFile().setLastModified(1_000_000L * (i + 1));
    }
    Path jar = Files.writeString(dataDir.resolve("a.jar"), "x");
    GatewayJvm.options(dataDir, jar.toString(), null);
    try (var files = Files.list(dataDir)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".jsa")))
          .containsExactlyInAnyOrder(
              "gateway-004.jsa",
              "gateway-003.jsa",
              "gateway-002.jsa",
              "cli-104.jsa",
              "cli-103.jsa",
              "cli-102.jsa");
    }
  }

  @Test
  void recordingANewArchiveRemovesStaleRecordingMarkers() throws Exception {
    Path stale = Files.writeString(dataDir.resolve("gateway-0a.jsa.recording"), "");
    stale.toFile().setLastModified(System.currentTimeMillis() - 3_600_000L);
    Path staleCli = Files.writeString(dataDir.resolve("cli-1.jsa.recording"), "");
    staleCli.toFile().setLastModified(System.currentTimeMillis() - 3_600_000L);
    Path recent = Files.writeString(dataDir.resolve("gateway-0b.jsa.recording"), "");
    Path jar = Files.writeString(dataDir.resolve("a.jar"), "x");
    GatewayJvm.options(dataDir, jar.toString(), null);
    assertThat(stale).doesNotExist();
    assertThat(staleCli).doesNotExist();
    assertThat(recent).exists();
    // this start's own marker stays while it records
    assertThat(Path.of(GatewayJvm.archive(dataDir, jar.toString()) + ".recording")).exists();
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
    assertThat(options).contains("-Xmx1g", "-XX:+UseSerialGC", "-Xms32m", "-Xmn64m");
  }
}

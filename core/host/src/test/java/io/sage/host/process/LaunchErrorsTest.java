package io.sage.host.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchErrorsTest {
  @TempDir Path dir;

  private static IOException refusal(String program) {
    return catchThrowableOfType(() -> LaunchErrors.requireExecutable(program), IOException.class);
  }

  @Test
  void anExecutableFileAndAProgramOnThePathPass() throws Exception {
    Path script = dir.resolve("engine");
    Files.writeString(script, "#!/bin/sh\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThatCode(() -> LaunchErrors.requireExecutable(script.toString()))
        .doesNotThrowAnyException();
    assertThatCode(() -> LaunchErrors.requireExecutable("sh")).doesNotThrowAnyException();
  }

  @Test
  void aMissingFileIsNoSuchFile() {
    Path missing = dir.resolve("bin/vllm");
    IOException e = refusal(missing.toString());
    assertThat(e).isInstanceOf(NoSuchFileException.class);
    assertThat(LaunchErrors.describe(e)).isEqualTo("no such file: " + missing);
  }

  @Test
  void aBareNameNotOnThePathSaysSo() {
    IOException e = refusal("sage-no-such-program-7f3a");
    assertThat(e).isInstanceOf(NoSuchFileException.class);
    assertThat(LaunchErrors.describe(e))
        .isEqualTo("not found on the PATH: sage-no-such-program-7f3a");
  }

  @Test
  void aDirectoryIsRefused() {
    IOException e = refusal(dir.toString());
    assertThat(e).isExactlyInstanceOf(FileSystemException.class);
    assertThat(LaunchErrors.describe(e)).isEqualTo("is a directory: " + dir);
  }

  @Test
  void aFileWithoutTheExecuteBitIsPermissionDenied() throws Exception {
    Path plain = dir.resolve("engine.sh");
    Files.writeString(plain, "#!/bin/sh\n");
    Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
    IOException e = refusal(plain.toString());
    assertThat(e).isInstanceOf(AccessDeniedException.class);
    assertThat(LaunchErrors.describe(e)).isEqualTo("permission denied: " + plain);
  }

  @Test
  void describesFileSystemExceptionsByKind() {
    assertThat(LaunchErrors.describe(new NotDirectoryException("/opt/x")))
        .isEqualTo("not a directory: /opt/x");
    assertThat(LaunchErrors.describe(new NoSuchFileException("/opt/y")))
        .isEqualTo("no such file: /opt/y");
    assertThat(
            LaunchErrors.describe(new FileSystemException("/logs", null, "Read-only file system")))
        .isEqualTo("read-only file system: /logs");
    assertThat(LaunchErrors.describe(new FileSystemException("/logs"))).isEqualTo("refused: /logs");
    assertThat(LaunchErrors.describe(new FileSystemException("/logs", null, "")))
        .isEqualTo("refused: /logs");
  }

  @Test
  void describesJavasErrnoSentenceInTheOsWordsWithTheProgram() {
    IOException denied =
        new IOException(
            "Cannot run program \"/opt/vllm/bin/vllm\" (in directory \"/tmp\"): error=13, Permission denied");
    assertThat(LaunchErrors.describe(denied)).isEqualTo("permission denied: /opt/vllm/bin/vllm");
    IOException missing =
        new IOException("Cannot run program \"vllm\": error=2, No such file or directory");
    assertThat(LaunchErrors.describe(missing)).isEqualTo("no such file or directory: vllm");
  }

  @Test
  void anErrnoWithoutAQuotedProgramGivesTheReasonAlone() {
    assertThat(
            LaunchErrors.describe(new IOException("fork failed: error=12, Cannot allocate memory")))
        .isEqualTo("cannot allocate memory");
  }

  @Test
  void otherMessagesPassThroughAndNoMessageNamesTheClass() {
    assertThat(LaunchErrors.describe(new IOException("disk on fire"))).isEqualTo("disk on fire");
    assertThat(LaunchErrors.describe(new IOException())).isEqualTo("IOException");
  }
}

package io.sage.engine.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.SageException;
import io.sage.spi.engine.LaunchCommand;
import io.sage.spi.job.RemoteJobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobScriptTest {
  static final String PORT = Integer.toString(RemoteJobs.PORT_PLACEHOLDER);

  @Test
  void everyWordIsQuotedAndThePortIsTheOneChosenOnTheNode(@TempDir Path dir) throws Exception {
    LaunchCommand command =
        new LaunchCommand(
            List.of("/bin/echo", "--port", PORT, "it's $(id) `id` ; | &", "--model", "m"),
            Map.of("SAGE_ENGINE_API_KEY", "k'ey$"),
            dir);
    String script = JobScript.build("eng-1", command, new int[] {20000, 20010}, "/bin/true", null);
    assertThat(script).contains("exec '/bin/echo' '--port' \"$port\" 'it'\\''s $(id) `id` ; | &'");
    assertThat(script).contains("export SAGE_ENGINE_API_KEY='k'\\''ey$'");
    // run it as the job would: the words arrive unchanged, the port lies in the range
    Path file = dir.resolve("job.sh");
    Files.writeString(file, script);
    Process p =
        new ProcessBuilder("sh", file.toString())
            .redirectErrorStream(true)
            .directory(dir.toFile())
            .start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(out).contains("it's $(id) `id` ; | & --model m");
    assertThat(out).containsPattern("--port 200(0\\d|10) ");
  }

  @Test
  void aCommandWithoutThePlaceholderPortIsRefused(@TempDir Path dir) {
    LaunchCommand command =
        new LaunchCommand(List.of("/bin/serve", "--port", "8000"), Map.of(), dir);
    assertThatThrownBy(() -> JobScript.build("eng-1", command, new int[] {1, 2}, "s", null))
        .isInstanceOf(SageException.class)
        .hasMessageContaining("--port");
    assertThat(JobScript.portArgument(List.of("x", "--port=" + PORT))).isEqualTo(1);
  }
}

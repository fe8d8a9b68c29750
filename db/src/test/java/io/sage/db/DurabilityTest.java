package io.sage.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.sage.host.audit.AuditQuery;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.store.EngineStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC.md section 4: acknowledged writes survive {@code kill -9}. A child JVM writes through the
 * real store and is killed with SIGKILL right after its last acknowledgement; this JVM then opens
 * the same file, which must neither be locked nor miss a row.
 */
class DurabilityTest {
  private static final String ENGINE_ID = "eng-0000dead0001";
  private static final int TRANSITIONS = 30;
  private static final int THREADS = 4;
  private static final int AUDIT_PER_THREAD = 25;

  @TempDir Path dataDir;

  @Test
  void acknowledgedWritesSurviveKillMinusNine() throws Exception {
    Process child = startWriter();
    String done;
    try {
      done = awaitDone(child);
    } finally {
      // destroyForcibly is SIGKILL on Unix: no shutdown hook, no flush, no close
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(child.exitValue()).isEqualTo(137);
    assertThat(done).startsWith("DONE ");

    try (ApplicationContext context = TestDatabases.start(dataDir)) {
      EngineStore store = context.getBean(EngineStore.class);

      EngineRecord engine = store.find(ENGINE_ID).orElseThrow();
      assertThat(done).isEqualTo("DONE " + engine.state() + " " + engine.restartCount());
      // the fixture starts at one restart; the writer counts one more per transition
      assertThat(engine.restartCount()).isEqualTo(1 + TRANSITIONS);
      List<EngineEvent> events = store.events(ENGINE_ID, 1000);
      assertThat(events).hasSize(TRANSITIONS + 1);
      assertThat(events.get(0).reason()).isEqualTo("transition " + (TRANSITIONS - 1));
      assertThat(store.audit(new AuditQuery(null, "test.write", null, 1000, 0)))
          .hasSize(THREADS * AUDIT_PER_THREAD);
    }
  }

  private Process startWriter() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                DurabilityWriter.class.getName(),
                dataDir.toString(),
                ENGINE_ID,
                String.valueOf(TRANSITIONS),
                String.valueOf(THREADS),
                String.valueOf(AUDIT_PER_THREAD)));
    return new ProcessBuilder(command)
        .redirectError(dataDir.resolve("writer.err").toFile())
        .start();
  }

  private String awaitDone(Process child) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("DONE")) {
        return line;
      }
    }
    throw new AssertionError(
        "writer exited with "
            + child.waitFor()
            + " before DONE; stderr:\n"
            + Files.readString(dataDir.resolve("writer.err")));
  }
}

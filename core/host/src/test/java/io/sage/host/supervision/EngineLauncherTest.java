package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineIds;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.host.fake.FakeProcessTable.FakeProcess;
import io.sage.host.process.ProcessLauncher;
import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a launch hands the runtime, records, and writes. */
class EngineLauncherTest {
  @TempDir Path dir;
  SupervisionHarness h;

  @BeforeEach
  void setUp() {
    h = new SupervisionHarness(dir);
    h.prober.otherwise(ProbeResult.passed());
    h.start();
  }

  @Test
  void theRuntimeGetsThePlacementAndTheHostServices() {
    EngineEntry entry = h.launch("m", Map.of("size_gb", "2", "startup_timeout_s", "60"));

    EngineContext context = h.runtime.contexts().get(0);
    EngineRecord record = entry.record();
    assertThat(context.engineId()).isEqualTo(record.id());
    assertThat(context.host()).isEqualTo("127.0.0.1");
    assertThat(context.port()).isEqualTo(record.port());
    assertThat(context.gpuIds()).isEqualTo(record.gpuIds());
    assertThat(context.engineApiKey()).isEqualTo(record.engineApiKey());
    assertThat(context.workDirectory()).isEqualTo(h.logs.engineDir(record.id()).resolve("work"));
    assertThat(context.javaExecutable()).isEqualTo(Path.of("/usr/bin/java"));
    assertThat(context.clock()).isSameAs(h.scheduler.clock());
    assertThat(context.spec().options())
        .as("host options stay with the host")
        .containsExactly(Map.entry("size_gb", "2"));
  }

  @Test
  void theLaunchIntentIsCommittedBeforeTheProcessStarts() {
    java.util.List<EngineRecord> storedAtLaunch = new java.util.ArrayList<>();
    h.processes.beforeEachLaunch(id -> storedAtLaunch.add(h.store.find(id).orElseThrow()));

    EngineEntry entry = h.launch("m");

    assertThat(storedAtLaunch).hasSize(1);
    EngineRecord before = storedAtLaunch.get(0);
    assertThat(before.process().isIntent()).isTrue();
    assertThat(before.process().commandLine())
        .isEqualTo("fake-engine --port " + entry.record().port());
    assertThat(before.port()).isEqualTo(entry.record().port());
    assertThat(before.process().startTime()).isEqualTo(h.process(entry).startTime);
    assertThat(h.store.find(entry.id()).orElseThrow().process().pid())
        .isEqualTo(h.process(entry).pid);
  }

  @Test
  void aStopBeforeTheQueuedLaunchStartsNoProcess() {
    String id = EngineIds.next();
    int port = h.ports.allocate(id);
    EngineEntry entry =
        h.registry.create(
            EngineRecord.starting(
                id,
                SupervisionHarness.spec("m", Map.of()),
                Placement.local("127.0.0.1", port, List.of(), 0),
                "k",
                h.scheduler.now()),
            "launched by test");
    h.supervision.launch(entry);
    h.supervision.stop(entry, true, Duration.ofSeconds(30), "alice");

    h.scheduler.advance(Duration.ofSeconds(5));

    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(h.processes.launches()).isEmpty();
    assertThat(h.processes.alive()).isEmpty();
  }

  @Test
  void theProcessIdentityIsRecordedForAdoption() {
    EngineEntry entry = h.launch("m");
    FakeProcess process = h.process(entry);

    assertThat(entry.record().process().pid()).isEqualTo(process.pid);
    assertThat(entry.record().process().startTime()).isEqualTo(process.startTime);
    assertThat(entry.record().process().commandLine())
        .isEqualTo("fake-engine --port " + entry.record().port());
    assertThat(process.environment)
        .containsEntry(ProcessLauncher.ENGINE_ID_ENV, entry.id())
        .containsEntry("FAKE_MODEL", "m");
    assertThat(h.store.find(entry.id()).orElseThrow().process())
        .isEqualTo(entry.record().process());
  }

  @Test
  void theLaunchIsNotedInTheEngineLog() {
    EngineEntry entry = h.launch("m");
    assertThat(h.logs.tail(entry.id(), 5))
        .containsExactly(
            "[sage] launching fake engine for m on port "
                + entry.record().port()
                + ": fake-engine");
  }

  @Test
  void theFirstProbeWaitsForTheProcessToBind() {
    EngineEntry entry = h.launch("m");
    String url = entry.record().baseUrl();
    h.scheduler.advance(Duration.ofMillis(100));
    assertThat(h.prober.probesOf(url)).isZero();
    h.scheduler.advance(Duration.ofMillis(100));
    assertThat(h.prober.probesOf(url)).isEqualTo(1);
  }

  @Test
  void aRemoteEngineStartsNoProcessAndIsProbedAtOnce() {
    String id = EngineIds.next();
    EngineSpec spec =
        new EngineSpec(
            "far",
            "far",
            EngineKind.LLM,
            "remote",
            null,
            1,
            List.of(),
            false,
            null,
            List.of(),
            Map.of());
    EngineEntry entry =
        h.registry.create(
            EngineRecord.starting(
                id, spec, Placement.remote("http://10.0.0.7:8000"), "sk", h.scheduler.now()),
            "registered");
    h.supervision.launch(entry);
    h.scheduler.advance(Duration.ofMillis(100));

    assertThat(h.processes.launches()).isEmpty();
    assertThat(entry.state()).isEqualTo(EngineState.READY);
  }

  @Test
  void aRestartMovesToAnotherPortWhenTheOldOneWasTaken() throws Exception {
    EngineEntry entry = h.ready("m");
    int old = entry.record().port();
    h.processes.exit(h.process(entry).pid, 1);
    h.scheduler.runDue();
    h.ports.release(entry.id(), old);
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), old));
      h.awaitState(entry, EngineState.STARTING, Duration.ofSeconds(2));
    }

    int moved = entry.record().port();
    assertThat(moved).isNotEqualTo(old);
    assertThat(entry.record().baseUrl()).isEqualTo("http://127.0.0.1:" + moved);
    assertThat(h.processes.launches().get(1).argv())
        .containsExactly("fake-engine", "--port", "" + moved);
    assertThat(h.logs.tail(entry.id(), 10))
        .contains("[sage] port " + old + " is taken; moved to port " + moved);
  }

  @Test
  void theHeartbeatIsWrittenAtMostOncePerInterval() {
    EngineEntry entry = h.ready("m", Map.of("health_interval_s", "1"));
    var first = entry.record().health().lastHeartbeatAt();
    h.scheduler.advance(Duration.ofMillis(500));
    assertThat(entry.record().health().lastHeartbeatAt()).isEqualTo(first);
    h.scheduler.advance(Duration.ofSeconds(2));
    assertThat(entry.record().health().lastHeartbeatAt()).isAfter(first);
  }

  @Test
  void aFailedEngineIsRelaunchedWithAFreshFailureCount() {
    EngineEntry entry = h.ready("m");
    h.prober.failing(entry.record().baseUrl(), "/health answered 503");
    h.awaitState(entry, EngineState.ERROR, Duration.ofSeconds(20));
    assertThat(entry.record().health().consecutiveFailures()).isEqualTo(3);

    h.prober.healthy(entry.record().baseUrl());
    h.awaitState(entry, EngineState.STARTING, Duration.ofSeconds(2));

    assertThat(entry.record().health().consecutiveFailures()).isZero();
    h.awaitState(entry, EngineState.READY, Duration.ofSeconds(2));
    assertThat(entry.record().lastError()).as("cleared once READY again").isNull();
  }
}

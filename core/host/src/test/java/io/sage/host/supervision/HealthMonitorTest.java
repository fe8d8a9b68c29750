package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.fake.FakeProcessTable.FakeProcess;
import io.sage.host.process.ProcessTable.Signal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness, health checks and startup timeouts (docs/state-machine.md), on scheduler time. */
class HealthMonitorTest {
  @TempDir Path dir;
  SupervisionHarness h;

  @BeforeEach
  void setUp() {
    h = new SupervisionHarness(dir);
    h.start();
  }

  @Test
  void theFirstGoodProbeMakesAStartingEngineReady() {
    EngineEntry entry = h.launch("m");
    h.scheduler.advance(Duration.ofSeconds(3));
    assertThat(entry.state()).as("refused probes keep it STARTING").isEqualTo(EngineState.STARTING);

    h.prober.healthy(entry.record().baseUrl());
    h.scheduler.advance(Duration.ofMillis(300));

    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(h.lastReason(entry)).matches("ready: health check passed after \\d+ ms");
    assertThat(entry.record().health().lastHeartbeatAt()).isEqualTo(entry.record().stateSince());
    assertThat(entry.record().lastError()).isNull();
  }

  @Test
  void aStartingEngineIsProbedEvery250MsAndAReadyOneEveryHealthInterval() {
    // probes fire on the 100 ms tick: "every 250 ms" is every third tick
    EngineEntry entry = h.launch("m");
    String url = entry.record().baseUrl();
    h.scheduler.advance(Duration.ofMillis(200)); // the first probe waits for the process to bind
    int first = h.prober.probesOf(url);
    h.scheduler.advance(Duration.ofSeconds(1));
    assertThat(h.prober.probesOf(url) - first).isEqualTo(3);

    h.prober.healthy(url);
    h.scheduler.advance(Duration.ofMillis(300));
    assertThat(entry.state()).isEqualTo(EngineState.READY);
    int atReady = h.prober.probesOf(url);
    h.scheduler.advance(Duration.ofSeconds(20));
    assertThat(h.prober.probesOf(url) - atReady).isEqualTo(4);
  }

  @Test
  void threeFailedChecksInARowMakeAReadyEngineErrorAndKillItsGroup() {
    EngineEntry entry = h.ready("m");
    FakeProcess process = h.process(entry);
    FakeProcess worker = h.processes.fork(process.pid);
    h.prober.failing(entry.record().baseUrl(), "/health answered 503");

    h.scheduler.advance(Duration.ofSeconds(5));
    assertThat(entry.record().health().consecutiveFailures()).isEqualTo(1);
    h.scheduler.advance(Duration.ofSeconds(5));
    assertThat(entry.record().health().consecutiveFailures()).isEqualTo(2);
    assertThat(entry.state()).as("two failures are not enough").isEqualTo(EngineState.READY);
    h.scheduler.advance(Duration.ofSeconds(5));

    assertThat(h.history(entry))
        .contains("READY->ERROR: 3 health checks failed: /health answered 503");
    assertThat(entry.record().lastError())
        .isEqualTo("3 health checks failed: /health answered 503");
    assertThat(h.processes.signals()).extracting(s -> s.signal()).startsWith(Signal.TERM);
    assertThat(process.alive()).isFalse();
    assertThat(worker.alive()).isFalse();
  }

  @Test
  void aGoodProbeBetweenFailuresStartsTheCountAgain() {
    EngineEntry entry = h.ready("m");
    String url = entry.record().baseUrl();
    h.prober.failing(url, "timed out");
    h.scheduler.advance(Duration.ofSeconds(10));
    assertThat(entry.record().health().consecutiveFailures()).isEqualTo(2);

    h.prober.healthy(url);
    h.scheduler.advance(Duration.ofSeconds(5));
    assertThat(entry.record().health().consecutiveFailures()).isZero();

    h.prober.failing(url, "timed out");
    h.scheduler.advance(Duration.ofSeconds(10));
    assertThat(entry.state()).isEqualTo(EngineState.READY);
  }

  @Test
  void failedChecksAreNotedInTheEngineLog() {
    EngineEntry entry = h.ready("m");
    h.prober.failing(entry.record().baseUrl(), "connection refused");
    h.scheduler.advance(Duration.ofSeconds(5));
    assertThat(h.logs.tail(entry.id(), 10))
        .contains("[sage] health check failed (1/3): connection refused");
  }

  @Test
  void theHostOptionsOverrideThresholdAndInterval() {
    EngineEntry entry =
        h.ready("m", Map.of("health_failure_threshold", "1", "health_interval_s", "1"));
    h.prober.failing(entry.record().baseUrl(), "/health answered 500");

    h.scheduler.advance(Duration.ofMillis(1100));

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError())
        .isEqualTo("1 health checks failed: /health answered 500");
  }

  @Test
  void theStartupTimeoutOfTheRuntimeApplies() {
    h.runtime.startupTimeout(Duration.ofSeconds(45));
    EngineEntry entry = h.launch("m");

    h.scheduler.advance(Duration.ofSeconds(45));
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    h.scheduler.advance(Duration.ofMillis(200));

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError()).startsWith("startup timeout: not ready after 45 s");
  }

  @Test
  void theGatewayConfigOverridesTheRuntimeTimeoutPerRuntime() {
    SupervisionConfig defaults = SupervisionConfig.defaults();
    SupervisionConfig config =
        new SupervisionConfig(
            defaults.healthInterval(),
            defaults.startingProbeInterval(),
            defaults.probeTimeout(),
            defaults.failureThreshold(),
            Map.of("fake", Duration.ofSeconds(5), "other", Duration.ofSeconds(500)),
            defaults.drainTimeout(),
            defaults.stopGracePeriod(),
            defaults.restartBackoffInitial(),
            defaults.restartBackoffMax(),
            defaults.maxRestarts(),
            defaults.restartWindow());
    SupervisionHarness configured = new SupervisionHarness(dir, config);
    configured.start();
    EngineEntry entry = configured.launch("m");

    configured.scheduler.advance(Duration.ofSeconds(5));
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    configured.scheduler.advance(Duration.ofMillis(200));

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError()).startsWith("startup timeout: not ready after 5 s");
  }

  @Test
  void theEngineOptionOverridesEveryOtherStartupTimeout() {
    EngineEntry entry = h.launch("m", Map.of("startup_timeout_s", "1800"));

    h.scheduler.advance(Duration.ofMinutes(29));
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    h.scheduler.advance(Duration.ofMinutes(1).plusMillis(200));

    assertThat(entry.state()).isEqualTo(EngineState.ERROR);
    assertThat(entry.record().lastError()).startsWith("startup timeout: not ready after 1800 s");
  }

  @Test
  void theStartupTimeoutReasonQuotesTheEnginesLastLogLine() throws Exception {
    EngineEntry entry = h.launch("m");
    java.nio.file.Files.writeString(
        h.logs.logFile(entry.id()),
        "loading weights with key " + entry.record().engineApiKey() + "\n",
        java.nio.file.StandardOpenOption.APPEND);

    h.scheduler.advance(Duration.ofSeconds(31));

    assertThat(entry.record().lastError())
        .isEqualTo(
            "startup timeout: not ready after 30 s; last log line: loading weights with key ****");
  }

  @Test
  void aHungProbeIsNotStackedUpon() {
    EngineEntry entry = h.launch("m");
    String url = entry.record().baseUrl();
    h.prober.hang(url);
    h.scheduler.advance(Duration.ofMillis(300));
    // the hung probe holds the engine's probe slot: no second probe runs meanwhile
    int probes = h.prober.probesOf(url);
    h.scheduler.advance(Duration.ofSeconds(2));
    assertThat(h.prober.probesOf(url)).isEqualTo(probes);
    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
  }

  @Test
  void probeSoonProbesAtTheNextTick() {
    EngineEntry entry = h.ready("m");
    String url = entry.record().baseUrl();
    int before = h.prober.probesOf(url);
    h.scheduler.advance(Duration.ofMillis(100));
    assertThat(h.prober.probesOf(url)).isEqualTo(before);

    h.supervision.probeSoon(entry);
    h.scheduler.advance(Duration.ofMillis(100));

    assertThat(h.prober.probesOf(url)).isEqualTo(before + 1);
  }

  @Test
  void theObserverHearsEveryProbeAndCannotBreakSupervision() {
    List<Boolean> seen = new ArrayList<>();
    h.supervision.setProbeObserver(
        (EngineRecord engine, boolean ok, long nanos) -> {
          seen.add(ok);
          throw new IllegalStateException("observer bug");
        });
    EngineEntry entry = h.launch("m");
    h.scheduler.advance(Duration.ofMillis(300));
    h.prober.healthy(entry.record().baseUrl());
    h.scheduler.advance(Duration.ofMillis(300));

    assertThat(seen).contains(false, true);
    assertThat(entry.state()).isEqualTo(EngineState.READY);
  }

  @Test
  void drainingStoppedAndFailedEnginesAreNotProbed() {
    EngineEntry entry = h.ready("m");
    h.supervision.stop(entry, false, Duration.ZERO, "test");
    h.scheduler.runDue();
    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    int probes = h.prober.probesOf(entry.record().baseUrl());

    h.scheduler.advance(Duration.ofMinutes(1));

    assertThat(h.prober.probesOf(entry.record().baseUrl())).isEqualTo(probes);
  }
}

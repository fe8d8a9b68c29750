package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineIds;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.Placement;
import io.sage.host.fake.FakeRuntime;
import io.sage.host.fake.ManualScheduler;
import io.sage.host.store.InMemoryEngineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where an engine's supervision settings come from: host options, then config, then runtime. */
class SupervisedEnginesTest {
  private final ManualScheduler scheduler = new ManualScheduler();
  private final EngineRegistry registry =
      new EngineRegistry(new InMemoryEngineStore(), scheduler.clock());
  private final FakeRuntime runtime =
      new FakeRuntime("fake").startupTimeout(Duration.ofSeconds(45));

  private static SupervisionConfig config(Map<String, Duration> startupTimeouts) {
    SupervisionConfig d = SupervisionConfig.defaults();
    return new SupervisionConfig(
        Duration.ofSeconds(7),
        d.startingProbeInterval(),
        d.probeTimeout(),
        4,
        startupTimeouts,
        d.drainTimeout(),
        d.stopGracePeriod(),
        d.restartBackoffInitial(),
        d.restartBackoffMax(),
        d.maxRestarts(),
        d.restartWindow());
  }

  private EngineEntry entry(Map<String, String> options) {
    String id = EngineIds.next();
    Instant now = scheduler.now();
    return registry.create(
        EngineRecord.starting(
            id,
            SupervisionHarness.spec("m", options),
            Placement.local("127.0.0.1", 47001, List.of(), 0),
            "sk",
            now),
        "test");
  }

  @Test
  void oneStatePerEngineUntilForgotten() {
    SupervisedEngines engines = new SupervisedEngines(config(Map.of()), () -> 0.5);
    EngineEntry a = entry(Map.of());
    EngineEntry b = entry(Map.of());
    SupervisedEngine first = engines.of(a);
    assertThat(engines.of(a)).isSameAs(first);
    assertThat(engines.of(b)).isNotSameAs(first);
    assertThat(first.entry).isSameAs(a);

    engines.forget(a.id());
    assertThat(engines.of(a)).isNotSameAs(first);
    engines.forget("eng-unknown"); // forgetting what is not there is harmless
  }

  @Test
  void closingIsAFlagTheGatewaySets() {
    SupervisedEngines engines = new SupervisedEngines(config(Map.of()), () -> 0.5);
    assertThat(engines.closing()).isFalse();
    engines.setClosing(true);
    assertThat(engines.closing()).isTrue();
    engines.setClosing(false);
    assertThat(engines.closing()).isFalse();
  }

  @Test
  void withoutOverridesTheConfigAndTheRuntimeDefaultApply() {
    SupervisionConfig config = config(Map.of());
    SupervisedEngines engines = new SupervisedEngines(config, () -> 0.5);
    assertThat(engines.config()).isSameAs(config);
    SupervisedEngine engine = engines.of(entry(Map.of()));
    engines.configure(engine, runtime);

    assertThat(engine.healthInterval).isEqualTo(Duration.ofSeconds(7));
    assertThat(engine.failureThreshold).isEqualTo(4);
    assertThat(engine.startupTimeout).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void theConfiguredStartupTimeoutOfTheRuntimeBeatsTheRuntimesOwn() {
    SupervisedEngines engines =
        new SupervisedEngines(
            config(Map.of("fake", Duration.ofSeconds(300), "vllm", Duration.ofSeconds(900))),
            () -> 0.5);
    SupervisedEngine engine = engines.of(entry(Map.of()));
    engines.configure(engine, runtime);
    assertThat(engine.startupTimeout).isEqualTo(Duration.ofSeconds(300));
  }

  @Test
  void theEnginesHostOptionsBeatEverything() {
    SupervisedEngines engines =
        new SupervisedEngines(config(Map.of("fake", Duration.ofSeconds(300))), () -> 0.5);
    SupervisedEngine engine =
        engines.of(
            entry(
                Map.of(
                    "startup_timeout_s", "12",
                    "health_interval_s", "2",
                    "health_failure_threshold", "9")));
    engines.configure(engine, runtime);

    assertThat(engine.startupTimeout).isEqualTo(Duration.ofSeconds(12));
    assertThat(engine.healthInterval).isEqualTo(Duration.ofSeconds(2));
    assertThat(engine.failureThreshold).isEqualTo(9);
  }

  @Test
  void withoutARuntimeTheRemoteTimeoutApplies() {
    SupervisedEngines defaults = new SupervisedEngines(config(Map.of()), () -> 0.5);
    SupervisedEngine engine = defaults.of(entry(Map.of()));
    defaults.configure(engine, null);
    assertThat(engine.startupTimeout).isEqualTo(Duration.ofSeconds(60));

    SupervisedEngines configured =
        new SupervisedEngines(config(Map.of("remote", Duration.ofSeconds(20))), () -> 0.5);
    SupervisedEngine remote = configured.of(entry(Map.of()));
    configured.configure(remote, null);
    assertThat(remote.startupTimeout).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void configuringStartsARunThatIsNotAJob() {
    SupervisedEngines engines = new SupervisedEngines(config(Map.of()), () -> 0.5);
    SupervisedEngine engine = engines.of(entry(Map.of()));
    engine.job = true;
    engine.jobRunningSince = scheduler.now();
    engines.configure(engine, runtime);
    assertThat(engine.job).isFalse();
    assertThat(engine.jobRunningSince).isNull();
  }
}

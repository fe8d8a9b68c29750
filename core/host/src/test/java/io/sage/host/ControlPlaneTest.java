package io.sage.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.audit.AuditQuery;
import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.host.fake.FakeProcessTable;
import io.sage.host.fake.ManualScheduler;
import io.sage.host.fake.ScriptedProber;
import io.sage.host.management.RegisterRequest;
import io.sage.host.management.StartRequest;
import io.sage.host.plugin.TestPluginJars;
import io.sage.host.store.InMemoryEngineStore;
import io.sage.host.supervision.ProbeResult;
import io.sage.host.supervision.SupervisionConfig;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade end to end on fakes for time and the OS, with a real runtime plugin compiled by the
 * test: the startup order, management, routing with leases, shutdown.
 */
class ControlPlaneTest {
  @TempDir static Path plugins;
  @TempDir Path data;
  final ManualScheduler scheduler = new ManualScheduler();
  final FakeProcessTable processes = new FakeProcessTable(scheduler.clock());
  final ScriptedProber prober = new ScriptedProber();
  final InMemoryEngineStore store = new InMemoryEngineStore();
  ControlPlane controlPlane;

  @BeforeAll
  static void compilePlugin() throws Exception {
    TestPluginJars.jar(
        plugins,
        "tiny",
        ">=1.0.0",
        Map.of("t.tiny.Tiny", TestPluginJars.runtime("t.tiny", "Tiny", "tiny", "")),
        List.of("t.tiny.Tiny"));
  }

  @BeforeEach
  void setUp() {
    prober.otherwise(ProbeResult.passed());
    controlPlane = controlPlane();
  }

  @AfterEach
  void tearDown() {
    controlPlane.close();
  }

  private ControlPlane controlPlane() {
    ControlPlaneSettings settings =
        new ControlPlaneSettings(
            List.of(plugins),
            data.resolve("engines"),
            1 << 20,
            3,
            46700,
            46799,
            "127.0.0.1",
            new io.sage.host.management.SelfAddresses(8000),
            Set.of(8000),
            "",
            SupervisionConfig.defaults());
    return new ControlPlane(
        settings,
        store,
        new ControlPlaneEnvironment(
            scheduler, processes, processes, prober, () -> 0.5, Path.of("/usr/bin/java")));
  }

  private static StartRequest tiny(String model) {
    return new StartRequest(
        model, null, "tiny", null, null, null, null, null, null, List.of(), Map.of());
  }

  private EngineSnapshot readyEngine(String model) {
    EngineSnapshot engine = controlPlane.startEngine(tiny(model), "alice");
    scheduler.advanceUntil(
        () -> controlPlane.engine(engine.id()).state() == EngineState.READY, Duration.ofSeconds(2));
    return controlPlane.engine(engine.id());
  }

  @Test
  void startLoadsThePluginsAndTheRegistryThenReconcilesThenMonitors() {
    EngineSpec spec =
        new EngineSpec(
            "kept",
            null,
            EngineKind.LLM,
            "tiny",
            null,
            1,
            List.of(),
            false,
            null,
            List.of(),
            Map.of());
    EngineRecord left =
        EngineRecord.starting(
                "eng-0000000000f1",
                spec,
                Placement.local("127.0.0.1", 46790, List.of(), 0),
                "k",
                scheduler.now())
            .withState(EngineState.STOPPED, scheduler.now());
    store.insert(
        left, new EngineEvent(0, left.id(), null, EngineState.STOPPED, "before", scheduler.now()));

    controlPlane.start();

    assertThat(controlPlane.runtimeKinds()).containsExactly("tiny", "remote");
    assertThat(controlPlane.hasRuntime("tiny")).isTrue();
    assertThat(controlPlane.plugins()).extracting(p -> p.id()).containsExactly("tiny");
    scheduler.runDue();
    assertThat(controlPlane.engine(left.id()).state())
        .as("reconciled: it should run, so it was relaunched")
        .isEqualTo(EngineState.STARTING);
    scheduler.advance(Duration.ofMillis(400));
    assertThat(controlPlane.engine(left.id()).state()).as("monitored").isEqualTo(EngineState.READY);
  }

  @Test
  void aLeaseCountsTheRequestUntilItIsClosedOnce() {
    controlPlane.start();
    EngineSnapshot engine = readyEngine("m");

    Optional<EngineLease> lease = controlPlane.route("m", EngineKind.LLM, List.of());

    assertThat(lease).isPresent();
    assertThat(lease.get().engineId()).isEqualTo(engine.id());
    assertThat(lease.get().record().baseUrl()).isEqualTo(engine.record().baseUrl());
    assertThat(controlPlane.inFlight(engine.id())).isEqualTo(1);
    assertThat(controlPlane.engine(engine.id()).inFlight()).isEqualTo(1);
    lease.get().close();
    lease.get().close();
    assertThat(controlPlane.inFlight(engine.id())).isZero();
  }

  @Test
  void routingBalancesOnLeasesAndSkipsWhatWasTried() {
    controlPlane.start();
    EngineSnapshot a = readyEngine("m");
    EngineSnapshot b = readyEngine("m");

    EngineLease first = controlPlane.route("m", EngineKind.LLM, List.of()).orElseThrow();
    EngineLease second = controlPlane.route("m", EngineKind.LLM, List.of()).orElseThrow();
    assertThat(Set.of(first.engineId(), second.engineId()))
        .containsExactlyInAnyOrder(a.id(), b.id());

    EngineLease retry = controlPlane.route("m", EngineKind.LLM, List.of(a.id())).orElseThrow();
    assertThat(retry.engineId()).isEqualTo(b.id());
    assertThat(controlPlane.route("m", EngineKind.LLM, List.of(a.id(), b.id()))).isEmpty();
    for (EngineLease lease : List.of(first, second, retry)) {
      lease.close();
    }
  }

  @Test
  void unknownAndWrongKindModelsAreToldApart() {
    controlPlane.start();
    readyEngine("m");

    assertThat(controlPlane.route("other", EngineKind.LLM, List.of())).isEmpty();
    assertThat(controlPlane.isKnown("m", EngineKind.LLM)).isTrue();
    assertThat(controlPlane.isKnown("other", EngineKind.LLM)).isFalse();
    assertThat(controlPlane.route("m", EngineKind.EMBEDDING, List.of())).isEmpty();
    assertThat(controlPlane.kindServing("m")).hasValue(EngineKind.LLM);
  }

  @Test
  void aStartingEngineIsKnownButNotRouted() {
    controlPlane.start();
    controlPlane.startEngine(tiny("slow"), "alice");
    assertThat(controlPlane.route("slow", EngineKind.LLM, List.of())).isEmpty();
    assertThat(controlPlane.isKnown("slow", EngineKind.LLM)).isTrue();
  }

  @Test
  void theDrainWaitsForOpenLeases() {
    controlPlane.start();
    EngineSnapshot engine = readyEngine("m");
    EngineLease lease = controlPlane.route("m", EngineKind.LLM, List.of()).orElseThrow();

    CompletableFuture<EngineRecord> stopped =
        controlPlane.stopEngine(engine.id(), true, Duration.ofSeconds(30), "alice");
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(controlPlane.engine(engine.id()).state()).isEqualTo(EngineState.DRAINING);
    assertThat(controlPlane.route("m", EngineKind.LLM, List.of())).as("no new requests").isEmpty();
    lease.close();
    scheduler.advance(Duration.ofMillis(20));

    assertThat(stopped).isCompletedWithValueMatching(r -> r.state() == EngineState.STOPPED);
    assertThat(controlPlane.events(engine.id(), 1).get(0).reason())
        .isEqualTo("drained; process group stopped after SIGTERM");
  }

  @Test
  void anUnreachableEngineIsProbedAtTheNextTick() {
    controlPlane.start();
    EngineSnapshot engine = readyEngine("m");
    String url = engine.record().baseUrl();
    int before = prober.probesOf(url);
    EngineLease lease = controlPlane.route("m", EngineKind.LLM, List.of()).orElseThrow();

    lease.reportUnreachable();
    lease.close();
    scheduler.advance(Duration.ofMillis(100));

    assertThat(prober.probesOf(url)).isEqualTo(before + 1);
  }

  @Test
  void awaitingAStateCompletesAtTheTransition() {
    controlPlane.start();
    EngineSnapshot engine = controlPlane.startEngine(tiny("m"), "alice");
    CompletableFuture<Void> ready =
        controlPlane.awaitState(engine.id(), s -> s == EngineState.READY);
    assertThat(ready).isNotDone();
    scheduler.advance(Duration.ofMillis(400));
    assertThat(ready).isDone();
  }

  @Test
  void managementCallsOfUnknownEnginesAreNotFound() {
    controlPlane.start();
    for (Runnable call :
        List.<Runnable>of(
            () -> controlPlane.engine("eng-ffffffffffff"),
            () -> controlPlane.awaitState("eng-ffffffffffff", s -> true),
            () -> controlPlane.restartEngine("eng-ffffffffffff", "alice"),
            () -> controlPlane.removeEngine("eng-ffffffffffff", "alice"))) {
      assertThatThrownBy(call::run)
          .isInstanceOfSatisfying(
              SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }
    assertThat(controlPlane.findEngine("eng-ffffffffffff")).isEmpty();
    assertThat(controlPlane.inFlight("eng-ffffffffffff")).isZero();
  }

  @Test
  void restartAndRemoveGoThroughTheFacade() {
    controlPlane.start();
    EngineSnapshot engine = readyEngine("m");
    controlPlane.stopEngine(engine.id(), false, Duration.ZERO, "alice");
    scheduler.runDue();

    EngineRecord restarted = controlPlane.restartEngine(engine.id(), "alice");
    assertThat(restarted.state()).isEqualTo(EngineState.STARTING);
    scheduler.advance(Duration.ofMillis(400));
    controlPlane.stopEngine(engine.id(), false, Duration.ZERO, "alice");
    scheduler.runDue();
    controlPlane.removeEngine(engine.id(), "alice");

    assertThat(controlPlane.engines()).isEmpty();
    assertThat(controlPlane.audit(new AuditQuery(null, null, engine.id(), 100, 0)))
        .extracting(a -> a.action())
        .containsExactly(
            "engine.remove", "engine.stop", "engine.restart", "engine.stop", "engine.start");
  }

  @Test
  void aRemoteEngineIsRegisteredAndProbed() {
    controlPlane.start();
    EngineSnapshot remote =
        controlPlane.registerEngine(
            new RegisterRequest("far", "http://10.0.0.5:9000", null, null, null), "alice");
    scheduler.advance(Duration.ofMillis(200));
    assertThat(controlPlane.engine(remote.id()).state()).isEqualTo(EngineState.READY);
    assertThat(processes.launches()).isEmpty();
  }

  @Test
  void listenersHearCommittedTransitionsAndTheObserverEveryProbe() {
    List<String> transitions = new ArrayList<>();
    List<Boolean> probes = new ArrayList<>();
    controlPlane.addListener((record, event) -> transitions.add(event.to() + " " + record.state()));
    controlPlane.setProbeObserver((record, ok, nanos) -> probes.add(ok));
    controlPlane.start();

    readyEngine("m");

    assertThat(transitions).containsExactly("STARTING STARTING", "READY READY");
    assertThat(probes).contains(true);
  }

  @Test
  void stoppingTheGatewayStopsEnginesAndKeepsWhatTheyShouldDo() {
    controlPlane.start();
    EngineSnapshot engine = readyEngine("m");

    controlPlane.stop(false, Duration.ofSeconds(5));

    EngineSnapshot after = controlPlane.engine(engine.id());
    assertThat(after.state()).isEqualTo(EngineState.STOPPED);
    assertThat(after.record().desiredState()).isEqualTo(DesiredState.RUNNING);
    assertThat(processes.alive()).isEmpty();
  }

  @Test
  void stoppingTheGatewayCanKeepEnginesForTheNextOne() {
    controlPlane.start();
    EngineSnapshot engine = readyEngine("m");

    controlPlane.stop(true, Duration.ofSeconds(5));

    assertThat(controlPlane.engine(engine.id()).state()).isEqualTo(EngineState.READY);
    assertThat(processes.alive()).hasSize(1);
  }

  @Test
  void theNextGatewayAdoptsWhatThePreviousOneKept() {
    controlPlane.start();
    EngineSnapshot engine = readyEngine("m");
    controlPlane.stop(true, Duration.ofSeconds(5));
    controlPlane.close();

    controlPlane = controlPlane();
    controlPlane.start();
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(controlPlane.engine(engine.id()).state()).isEqualTo(EngineState.READY);
    assertThat(controlPlane.events(engine.id(), 100)).hasSize(2);
    assertThat(processes.launches()).hasSize(1);
  }

  @Test
  void gpusWithoutAnyProviderSayWhy() {
    controlPlane.start();
    assertThat(controlPlane.gpus().active()).isEmpty();
    assertThat(controlPlane.gpus().providers()).isEmpty();
    assertThat(controlPlane.gpus().unavailableReason()).isNotBlank();
    assertThat(controlPlane.gpus().reservedMib()).isEmpty();
    assertThat(controlPlane.gpus().holders()).isEmpty();
  }

  @Test
  void theEngineLogIsReadThroughTheFacade() throws Exception {
    controlPlane.start();
    EngineSnapshot engine = controlPlane.startEngine(tiny("m"), "alice");
    scheduler.runDue();
    java.nio.file.Files.writeString(
        controlPlane.logFile(engine.id()),
        "engine says hello\n",
        java.nio.file.StandardOpenOption.APPEND);

    assertThat(controlPlane.lastLogLine(engine.id())).isEqualTo("engine says hello");
    assertThat(controlPlane.logTail(engine.id(), 10))
        .anyMatch(line -> line.startsWith("[sage] launching tiny engine for m on port "));
  }

  @Test
  void auditRowsForActionsOutsideEngines() {
    controlPlane.audit("alice", "key.create", "key-1", "ok", "name 'ci'");
    assertThat(controlPlane.audit(new AuditQuery("alice", "key.create", null, 10, 0)))
        .singleElement()
        .satisfies(a -> assertThat(a.detail()).isEqualTo("name 'ci'"));
  }

  @Test
  void theSupervisionConfigIsTheOneGiven() {
    assertThat(controlPlane.supervisionConfig()).isEqualTo(SupervisionConfig.defaults());
  }
}

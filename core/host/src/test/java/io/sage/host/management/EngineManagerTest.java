package io.sage.host.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import io.sage.host.audit.AuditTrail;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.fake.FakeProcessTable;
import io.sage.host.fake.FakeRuntime;
import io.sage.host.fake.FakeRuntimes;
import io.sage.host.fake.ManualScheduler;
import io.sage.host.fake.ScriptedProber;
import io.sage.host.gpu.GpuPlacer;
import io.sage.host.gpu.GpuReservations;
import io.sage.host.gpu.GpuSource;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.store.InMemoryEngineStore;
import io.sage.host.supervision.ProbeResult;
import io.sage.host.supervision.Supervision;
import io.sage.host.supervision.SupervisionConfig;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.gpu.GpuDevice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The management calls: validation, placement, launch, stop, restart, purge, audit. */
class EngineManagerTest {
  @TempDir Path dir;
  final ManualScheduler scheduler = new ManualScheduler();
  final FakeProcessTable processes = new FakeProcessTable(scheduler.clock());
  final ScriptedProber prober = new ScriptedProber();
  final InMemoryEngineStore store = new InMemoryEngineStore();
  final EngineRegistry registry = new EngineRegistry(store, scheduler.clock());
  final FakeRuntime fake = new FakeRuntime("fake");
  final FakeRuntime gpuRuntime = new FakeRuntime("gpu").usingGpus();
  final PortAllocator ports = new PortAllocator(46500, 46599, Set.of(), "127.0.0.1");
  final List<GpuDevice> devices = new ArrayList<>();
  final GpuSource gpus =
      new GpuSource() {
        @Override
        public Optional<String> providerName() {
          return Optional.of("test");
        }

        @Override
        public String unavailableReason() {
          return "none";
        }

        @Override
        public List<GpuDevice> devices() {
          return List.copyOf(devices);
        }
      };
  GpuReservations reservations;
  EngineManager manager;

  @BeforeEach
  void setUp() {
    prober.otherwise(ProbeResult.passed());
    FakeRuntimes runtimes = new FakeRuntimes(fake, gpuRuntime);
    Supervision supervision =
        new Supervision(
            new Supervision.Parts(
                registry,
                runtimes,
                processes,
                processes,
                prober,
                ports,
                new EngineLogs(dir, 1 << 20, 3),
                scheduler,
                () -> 0.5,
                Path.of("/usr/bin/java")),
            SupervisionConfig.defaults());
    supervision.startMonitoring();
    reservations = new GpuReservations();
    manager =
        new EngineManager(
            registry,
            supervision,
            runtimes,
            ports,
            new GpuPlacer(registry, gpus, reservations, processes),
            new AuditTrail(store, scheduler.clock()),
            "127.0.0.1",
            new SelfAddresses(8000));
  }

  static StartRequest start(String model, String runtime, Map<String, String> options) {
    return new StartRequest(
        model, null, runtime, null, null, null, null, null, null, List.of(), options);
  }

  private List<AuditEntry> audit() {
    return store.audit(new AuditQuery(null, null, null, 100, 0));
  }

  @Test
  void aValidStartLaunchesAndIsAudited() {
    EngineEntry entry = manager.start(start("m", "fake", Map.of()), "alice");
    scheduler.runDue();

    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(entry.record().port()).isBetween(46500, 46599);
    assertThat(entry.record().engineApiKey()).isNotBlank();
    assertThat(processes.launches()).hasSize(1);
    assertThat(store.events(entry.id(), 1).get(0).reason())
        .isEqualTo("launched by alice: runtime fake, model m");
    assertThat(audit())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.action()).isEqualTo("engine.start");
              assertThat(a.outcome()).isEqualTo("accepted");
              assertThat(a.target()).isEqualTo(entry.id());
              assertThat(a.detail())
                  .isEqualTo("runtime fake, model m, port " + entry.record().port());
            });
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(entry.state()).isEqualTo(EngineState.READY);
  }

  @Test
  void everyProblemIsReportedAtOnceAndNothingIsStored() {
    StartRequest bad =
        new StartRequest(
            "-rf",
            "chat",
            "fake",
            80,
            0,
            List.of(1, 1),
            null,
            null,
            null,
            List.of(),
            Map.of("restart_policy", "sometimes", "startup_timeout_s", "-5"));

    assertThatThrownBy(() -> manager.start(bad, "alice"))
        .isInstanceOfSatisfying(
            SageException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
              assertThat(e.getMessage())
                  .contains("model must not start with '-'")
                  .contains("engine_kind")
                  .contains("tensor_parallel_size must be between 1 and 64, got 0")
                  .contains("gpu_ids must not name a GPU twice")
                  .contains("port must be between 1024 and 65535, got 80")
                  .contains("option restart_policy must be 'always' or 'never'")
                  .contains("option startup_timeout_s must be between");
            });
    assertThat(registry.all()).isEmpty();
    assertThat(processes.launches()).isEmpty();
    assertThat(audit()).singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo("error"));
  }

  @Test
  void anUnknownRuntimeNamesTheLoadedOnes() {
    assertThatThrownBy(() -> manager.start(start("m", "nope", Map.of()), "alice"))
        .hasMessageContaining("unknown runtime 'nope'; loaded runtimes: fake, gpu, remote");
  }

  @Test
  void remoteIsNotLaunched() {
    assertThatThrownBy(() -> manager.start(start("m", "remote", Map.of()), "alice"))
        .hasMessageContaining("register remote engines with POST /v1/management/engines/register");
  }

  @Test
  void theRuntimeChecksItsOwnOptionsAndNeverSeesTheHosts() {
    assertThatThrownBy(
            () ->
                manager.start(
                    start("m", "fake", Map.of("restart_policy", "never", "colour", "red")),
                    "alice"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_OPTION))
        .hasMessage(
            "invalid engine request for runtime fake: unknown option 'colour' for runtime fake");

    EngineEntry entry =
        manager.start(start("m", "fake", Map.of("restart_policy", "never")), "alice");
    scheduler.runDue();
    assertThat(fake.contexts())
        .singleElement()
        .satisfies(c -> assertThat(c.spec().options()).isEmpty());
    assertThat(entry.hostOptions().restarts())
        .isEqualTo(io.sage.host.engine.HostOptions.Restarts.NEVER);
  }

  @Test
  void aTakenPortIsAConflictAndNothingIsLeftReserved() {
    manager.start(
        new StartRequest(
            "a", null, "fake", 46550, null, null, null, null, null, List.of(), Map.of()),
        "alice");
    assertThatThrownBy(
            () ->
                manager.start(
                    new StartRequest(
                        "b", null, "fake", 46550, null, null, null, null, null, List.of(),
                        Map.of()),
                    "alice"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PORT_IN_USE));
    assertThat(registry.all()).hasSize(1);
  }

  @Test
  void aGpuRuntimeIsPlacedWithWhatTheRuntimeDeclares() {
    devices.add(gpu(0, 81920));
    devices.add(gpu(1, 24576));

    EngineEntry entry = manager.start(start("m", "gpu", Map.of("size_gb", "20")), "alice");

    assertThat(entry.record().gpuIds()).containsExactly(1);
    assertThat(entry.record().placement().gpuMemoryMib()).isEqualTo(20 * 1024);
    assertThat(reservations.of(entry.id())).isPresent();
    assertThat(store.events(entry.id(), 1).get(0).reason())
        .endsWith(", GPUs [1] with 20480 MiB reserved on each");
  }

  @Test
  void noGpuThatFitsIsAConflictAndNothingIsStored() {
    devices.add(gpu(0, 8192));
    assertThatThrownBy(() -> manager.start(start("m", "gpu", Map.of("size_gb", "20")), "alice"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.getMessage()).contains("engine for m"));
    assertThat(registry.all()).isEmpty();
    assertThat(reservations.all()).isEmpty();
  }

  @Test
  void noGpusAtAllSuggestsRunningWithout() {
    assertThatThrownBy(() -> manager.start(start("m", "gpu", Map.of()), "alice"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GPU_UNAVAILABLE))
        .hasMessage(
            "engine for m needs 1 GPU(s) but GPU provider test reports no GPUs; start it with use_gpu: false to run without GPUs");

    EngineEntry without =
        manager.start(
            new StartRequest(
                "m", null, "gpu", null, null, null, false, null, null, List.of(), Map.of()),
            "alice");
    assertThat(without.record().gpuIds()).isEmpty();
  }

  @Test
  void aStoppedGpuEngineIsPlacedAgainAtRestart() {
    devices.add(gpu(0, 81920));
    EngineEntry entry = manager.start(start("m", "gpu", Map.of("size_gb", "20")), "alice");
    scheduler.advance(Duration.ofSeconds(1));
    manager.stop(entry.id(), false, Duration.ZERO, "alice");
    scheduler.runDue();
    assertThat(entry.state()).isEqualTo(EngineState.STOPPED);
    assertThat(reservations.of(entry.id())).as("STOPPED gives the GPUs back").isEmpty();

    manager.restart(entry.id(), "alice");
    scheduler.runDue();

    assertThat(entry.state()).isEqualTo(EngineState.STARTING);
    assertThat(reservations.of(entry.id())).isPresent();
  }

  @Test
  void aRestartThatFailsGivesTheNewPlacementBack() {
    devices.add(gpu(0, 81920));
    EngineEntry entry = manager.start(start("m", "gpu", Map.of("size_gb", "20")), "alice");
    scheduler.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> manager.restart(entry.id(), "alice"))
        .hasMessageContaining("it is READY");
    assertThat(audit())
        .anySatisfy(
            a -> {
              assertThat(a.action()).isEqualTo("engine.restart");
              assertThat(a.outcome()).isEqualTo("error");
            });
  }

  @Test
  void aDrainTimeoutOutOfRangeIsABadRequest() {
    EngineEntry entry = manager.start(start("m", "fake", Map.of()), "alice");
    assertThatThrownBy(() -> manager.stop(entry.id(), true, Duration.ofHours(2), "alice"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
        .hasMessage("drain_timeout must be between 0 and 3600 seconds");
    assertThatThrownBy(() -> manager.stop(entry.id(), true, Duration.ofSeconds(-1), "alice"))
        .isInstanceOf(SageException.class);
  }

  @Test
  void anUnknownEngineIsNotFound() {
    assertThatThrownBy(() -> manager.stop("eng-ffffffffffff", true, Duration.ZERO, "alice"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThatThrownBy(() -> manager.events("eng-ffffffffffff", 10))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void purgeForgetsAStoppedEngineButKeepsItsEvents() {
    EngineEntry entry = manager.start(start("m", "fake", Map.of()), "alice");
    scheduler.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> manager.purge(entry.id(), "alice"))
        .hasMessage("cannot remove engine " + entry.id() + ": it is READY; stop it first");
    manager.stop(entry.id(), false, Duration.ZERO, "alice");
    scheduler.runDue();

    manager.purge(entry.id(), "alice");

    assertThat(registry.find(entry.id())).isEmpty();
    assertThat(store.events(entry.id(), 100)).isNotEmpty();
    assertThat(audit()).anySatisfy(a -> assertThat(a.action()).isEqualTo("engine.remove"));
    assertThat(ports.reserve("eng-000000000777", entry.record().port()))
        .isEqualTo(entry.record().port());
  }

  @Test
  void purgeOfAFailedEngineStopsWhatIsLeftFirst() {
    EngineEntry entry =
        manager.start(start("m", "fake", Map.of("restart_policy", "never")), "alice");
    scheduler.runDue();
    long pid = entry.record().process().pid();
    processes.fork(pid);
    processes.exit(pid, 1);
    scheduler.runDue();
    assertThat(entry.state()).isEqualTo(EngineState.ERROR);

    manager.purge(entry.id(), "alice");

    assertThat(processes.alive()).isEmpty();
    assertThat(registry.find(entry.id())).isEmpty();
  }

  @Test
  void aRemoteEngineIsRegisteredWithItsUrlCleanedUp() {
    EngineEntry entry =
        manager.register(
            new RegisterRequest("llama", "http://10.1.2.3:8001/v1/", null, "sk-remote", "lab"),
            "alice");
    scheduler.advance(Duration.ofMillis(200));

    assertThat(entry.record().baseUrl()).isEqualTo("http://10.1.2.3:8001");
    assertThat(entry.record().isRemote()).isTrue();
    assertThat(entry.record().engineApiKey()).isEqualTo("sk-remote");
    assertThat(entry.state()).isEqualTo(EngineState.READY);
    assertThat(processes.launches()).isEmpty();
  }

  @Test
  void aRemoteUrlThatIsNoGoodReportsEveryProblem() {
    assertThatThrownBy(
            () ->
                manager.register(
                    new RegisterRequest(null, "ftp://user:pw@host/x?y#z", "llm", null, null),
                    "alice"))
        .hasMessageContaining("model is required")
        .hasMessageContaining("base_url must be an http or https URL")
        .hasMessageContaining("base_url must not carry credentials")
        .hasMessageContaining("base_url must not have a query or fragment");
    assertThatThrownBy(
            () ->
                manager.register(
                    new RegisterRequest("m", "http://localhost:8000", null, null, null), "alice"))
        .hasMessageContaining("base_url points at this gateway itself");
    assertThatThrownBy(
            () -> manager.register(new RegisterRequest("m", null, null, null, null), "alice"))
        .hasMessageContaining("base_url is required");
    assertThat(audit()).hasSize(3).allSatisfy(a -> assertThat(a.outcome()).isEqualTo("error"));
  }

  @Test
  void secretOptionsAreMasked() {
    EngineEntry entry =
        manager.start(start("m", "fake", Map.of("hf_auth", "hf_secret", "size_gb", "2")), "alice");
    assertThat(manager.maskedOptions(entry.record()))
        .containsExactly(Map.entry("hf_auth", "****"), Map.entry("size_gb", "2"));
  }

  private static GpuDevice gpu(int index, long totalMib) {
    return new GpuDevice(index, "GPU-" + index, "Test GPU", totalMib, 0, 0, null, null, List.of());
  }
}

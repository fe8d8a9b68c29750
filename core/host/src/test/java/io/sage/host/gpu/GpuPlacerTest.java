package io.sage.host.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.host.engine.ProcessIdentity;
import io.sage.host.engine.Records;
import io.sage.host.fake.FakeProcessTable;
import io.sage.host.fake.FakeProcessTable.FakeProcess;
import io.sage.host.fake.FakeRuntime;
import io.sage.host.fake.ManualClock;
import io.sage.host.store.InMemoryEngineStore;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.gpu.GpuDevice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GpuPlacerTest {
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  final InMemoryEngineStore store = new InMemoryEngineStore();
  final EngineRegistry registry = new EngineRegistry(store, clock);
  final FakeProcessTable processes = new FakeProcessTable(clock);
  final List<GpuDevice> devices = new ArrayList<>();
  RuntimeException readFailure;
  boolean places = true;
  final GpuSource source =
      new GpuSource() {
        @Override
        public Optional<String> providerName() {
          return Optional.of("test");
        }

        @Override
        public String unavailableReason() {
          return "no driver";
        }

        @Override
        public List<GpuDevice> devices() {
          if (readFailure != null) {
            throw readFailure;
          }
          return List.copyOf(devices);
        }

        @Override
        public boolean placesGpus() {
          return places;
        }
      };
  final GpuReservations reservations = new GpuReservations();
  final GpuPlacer placer = new GpuPlacer(registry, source, reservations, processes);
  final FakeRuntime runtime = new FakeRuntime("gpu").usingGpus();

  static EngineSpec spec(
      int tp, List<Integer> gpuIds, boolean useGpu, Map<String, String> options) {
    return new EngineSpec(
        "org/model-7B",
        null,
        EngineKind.LLM,
        "gpu",
        null,
        tp,
        gpuIds,
        useGpu,
        null,
        List.of(),
        options);
  }

  static GpuDevice gpu(int index, long total, long used, GpuDevice.GpuProcess... on) {
    return new GpuDevice(index, "GPU-" + index, "Test", total, used, 0, null, null, List.of(on));
  }

  @Test
  void placesOnlyForGpuRuntimesThatWantGpusWhenPlacementIsOn() {
    assertThat(placer.placesGpus(spec(1, List.of(), true, Map.of()), runtime)).isTrue();
    assertThat(placer.placesGpus(spec(1, List.of(), false, Map.of()), runtime)).isFalse();
    assertThat(placer.placesGpus(spec(1, List.of(), true, Map.of()), new FakeRuntime("cpu")))
        .isFalse();
    assertThat(placer.placesGpus(spec(1, List.of(), true, Map.of()), null)).isFalse();
    places = false;
    assertThat(placer.placesGpus(spec(1, List.of(), true, Map.of()), runtime)).isFalse();
  }

  @Test
  void tensorParallelSizeGpusByBestFitWithTheRuntimesNeed() {
    devices.addAll(List.of(gpu(0, 81920, 0), gpu(1, 24576, 0), gpu(2, 24576, 0)));

    GpuPlacer.Placed placed =
        placer.place("e1", "engine e1", spec(2, List.of(), true, Map.of("size_gb", "20")), runtime);

    assertThat(placed.gpuIds()).containsExactly(1, 2);
    assertThat(placed.perGpuMib()).isEqualTo(20 * 1024);
    assertThat(reservations.of("e1")).isPresent();
  }

  @Test
  void withoutADeclaredNeedTheModelNameIsUsed() {
    devices.add(gpu(0, 81920, 0));
    GpuPlacer.Placed placed =
        placer.place("e1", "engine e1", spec(1, List.of(), true, Map.of()), runtime);
    assertThat(placed.perGpuMib()).isEqualTo(16022);
  }

  @Test
  void namedGpusAreTakenAsNamed() {
    devices.addAll(List.of(gpu(0, 81920, 0), gpu(1, 81920, 0), gpu(2, 81920, 0)));
    GpuPlacer.Placed placed =
        placer.place(
            "e1", "engine e1", spec(1, List.of(2, 0), true, Map.of("size_gb", "10")), runtime);
    assertThat(placed.gpuIds()).containsExactlyInAnyOrder(0, 2);
  }

  @Test
  void concurrentEnginesNeverShareMemory() {
    devices.add(gpu(0, 40960, 0));
    placer.place("e1", "engine e1", spec(1, List.of(), true, Map.of("size_gb", "30")), runtime);
    assertThatThrownBy(
            () ->
                placer.place(
                    "e2", "engine e2", spec(1, List.of(), true, Map.of("size_gb", "30")), runtime))
        .isInstanceOf(SageException.class);
    placer.release("e1");
    assertThat(
            placer
                .place(
                    "e2", "engine e2", spec(1, List.of(), true, Map.of("size_gb", "30")), runtime)
                .gpuIds())
        .containsExactly(0);
  }

  @Test
  void gpusThatCannotBeReadAreUnavailableWithTheReason() {
    readFailure = new SageException(ErrorCode.PLUGIN_FAILURE, "NVML says no");
    assertThatThrownBy(
            () -> placer.place("e1", "engine e1", spec(2, List.of(), true, Map.of()), runtime))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GPU_UNAVAILABLE))
        .hasMessage(
            "engine e1 needs 2 GPU(s) but the GPUs cannot be read: NVML says no; start it with use_gpu: false to run without GPUs");
  }

  @Test
  void theMemoryOurOwnEnginesUseIsNotCountedTwice() {
    EngineRecord running =
        Records.starting("eng-00000000000e", "m", EngineKind.LLM)
            .withPlacement(Placement.local("127.0.0.1", 41000, List.of(0), 30000), clock.instant());
    FakeProcess engine = processes.start("vllm", Map.of(), 0);
    FakeProcess worker = processes.fork(engine.pid);
    running =
        running.withProcess(
            new ProcessIdentity(engine.pid, engine.startTime, "vllm"), clock.instant());
    EngineEntry entry = registry.create(running, "test");
    registry.transition(entry, EngineState.READY, "test", r -> r);
    // the running engine's worker uses 28 GiB of GPU 0, which is inside its 30000 MiB reservation
    devices.add(gpu(0, 81920, 28672, new GpuDevice.GpuProcess(worker.pid, 28672)));
    placer.restore();

    GpuPlacer.Placed placed =
        placer.place("e2", "engine e2", spec(1, List.of(), true, Map.of("size_gb", "50")), runtime);

    assertThat(placed.gpuIds()).containsExactly(0);
  }

  @Test
  void restoreRebuildsTheReservationsFromTheRegistry() {
    EngineRecord kept =
        Records.starting("eng-00000000000f", "m", EngineKind.LLM)
            .withPlacement(Placement.local("127.0.0.1", 41000, List.of(1), 1234), clock.instant());
    registry.create(kept, "test");

    placer.restore();

    assertThat(placer.reservations().of("eng-00000000000f"))
        .hasValueSatisfying(r -> assertThat(r.perGpuMib()).isEqualTo(1234));
  }
}

package io.sage.host.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.gpu.GpuDevice;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GpuPlacementTest {

  static GpuDevice gpu(int index, long total, long used, GpuDevice.GpuProcess... processes) {
    return new GpuDevice(
        index, "GPU-" + index, "Test GPU", total, used, 0, null, null, List.of(processes));
  }

  private static GpuRequest bestFit(int count, long perGpuMib) {
    return new GpuRequest(List.of(), count, new GpuMemoryNeed(perGpuMib, "test"));
  }

  @Test
  void bestFitTakesTheGpusWithTheLeastFreeMemoryThatStillFit() {
    List<GpuDevice> gpus =
        List.of(gpu(0, 81920, 0), gpu(1, 24576, 0), gpu(2, 40960, 0), gpu(3, 16384, 0));
    assertThat(GpuPlacement.place("e", gpus, Map.of(), Set.of(), bestFit(1, 20000)))
        .containsExactly(1);
    assertThat(GpuPlacement.place("e", gpus, Map.of(), Set.of(), bestFit(2, 20000)))
        .containsExactly(1, 2);
    assertThat(GpuPlacement.place("e", gpus, Map.of(), Set.of(), bestFit(1, 30000)))
        .containsExactly(2);
  }

  @Test
  void reservationsAndOtherProcessesReduceFreeMemory() {
    List<GpuDevice> gpus = List.of(gpu(0, 81920, 1024), gpu(1, 81920, 1024));
    assertThat(GpuPlacement.place("e", gpus, Map.of(0, 61440L), Set.of(), bestFit(1, 30000)))
        .containsExactly(1);
    assertThatThrownBy(
            () -> GpuPlacement.place("e", gpus, Map.of(0, 61440L), Set.of(), bestFit(2, 30000)))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GPU_UNAVAILABLE))
        .hasMessage(
            "e needs 2 GPU(s) with 30000 MiB free each (test); free now: GPU0 19456 MiB, GPU1 80896 MiB");
  }

  @Test
  void ourOwnEnginesMemoryUseIsCoveredByTheirReservationNotCountedTwice() {
    // engine process 4242 has loaded 60000 MiB of its 61440 MiB reservation
    GpuDevice device = gpu(0, 81920, 61024, new GpuDevice.GpuProcess(4242, 60000));
    assertThat(GpuPlacement.freeMib(device, Map.of(0, 61440L), Set.of(4242L)))
        .isEqualTo(81920 - 1024 - 61440);
    assertThat(GpuPlacement.freeMib(device, Map.of(0, 61440L), Set.of())).isZero();
  }

  @Test
  void explicitGpusMustExistAndFit() {
    List<GpuDevice> gpus = List.of(gpu(0, 81920, 0), gpu(1, 81920, 0));
    GpuRequest one = new GpuRequest(List.of(1), 1, new GpuMemoryNeed(40000, "test"));
    assertThat(GpuPlacement.place("e", gpus, Map.of(), Set.of(), one)).containsExactly(1);
    assertThatThrownBy(() -> GpuPlacement.place("e", gpus, Map.of(1, 50000L), Set.of(), one))
        .hasMessage(
            "e needs GPU(s) 1 with 40000 MiB free each (test); free now: GPU0 81920 MiB, GPU1 31920 MiB");
    GpuRequest missing = new GpuRequest(List.of(1, 5), 2, new GpuMemoryNeed(1, "test"));
    assertThatThrownBy(() -> GpuPlacement.place("e", gpus, Map.of(), Set.of(), missing))
        .hasMessage("e: gpu_ids names GPU(s) 5 that do not exist; GPUs here: 0, 1");
  }

  @Test
  void moreGpusThanTheMachineHasIsRefusedWithWhatIsFree() {
    assertThatThrownBy(
            () ->
                GpuPlacement.place(
                    "e", List.of(gpu(0, 1000, 0)), Map.of(), Set.of(), bestFit(2, 1)))
        .hasMessageContaining("needs 2 GPU(s)")
        .hasMessageContaining("GPU0 1000 MiB");
  }

  @Test
  void theResultIsInIndexOrder() {
    List<GpuDevice> gpus = List.of(gpu(0, 40000, 0), gpu(1, 30000, 0));
    assertThat(GpuPlacement.place("e", gpus, Map.of(), Set.of(), bestFit(2, 1000)))
        .containsExactly(0, 1);
  }
}

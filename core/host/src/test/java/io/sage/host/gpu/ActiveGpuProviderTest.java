package io.sage.host.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.gpu.GpuDevice;
import io.sage.spi.gpu.GpuProvider;
import io.sage.spi.gpu.GpuStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActiveGpuProviderTest {

  record FixedProvider(String name, int priority, boolean available, List<GpuDevice> devices)
      implements GpuProvider {
    @Override
    public GpuStatus status() {
      return available ? GpuStatus.ok(name + " ok") : GpuStatus.unavailable(name + ": no driver");
    }
  }

  private final GpuProvider nvml = new FixedProvider("nvml", 10, false, List.of());
  private final GpuProvider fake =
      new FixedProvider("fake", 50, true, List.of(GpuPlacementTest.gpu(0, 81920, 0)));

  @Test
  void byDefaultTheAvailableProviderWithTheLowestPriorityNumberIsInCharge() {
    ActiveGpuProvider source = new ActiveGpuProvider(() -> List.of(fake, nvml), "");
    assertThat(source.providerName()).hasValue("fake");
    assertThat(source.devices()).hasSize(1);
    assertThat(source.placesGpus()).isTrue();
  }

  @Test
  void aNamedProviderIsInChargeEvenWhenUnavailableAndReportsWhy() {
    ActiveGpuProvider source = new ActiveGpuProvider(() -> List.of(fake, nvml), "nvml");
    assertThat(source.providerName()).hasValue("nvml");
    assertThat(source.devices()).isEmpty();
    assertThat(source.unavailableReason()).isEqualTo("nvml: no driver");
  }

  @Test
  void withoutAnAvailableProviderPlacementStillRunsAndFindsNothing() {
    ActiveGpuProvider source = new ActiveGpuProvider(() -> List.of(nvml), "auto");
    assertThat(source.providerName()).isEmpty();
    assertThat(source.placesGpus()).isTrue();
    assertThat(source.unavailableReason()).isEqualTo("no GPU provider available");
  }

  @Test
  void providerNoneTurnsPlacementOff() {
    assertThat(new ActiveGpuProvider(() -> List.of(fake), "none").placesGpus()).isFalse();
    assertThat(GpuSource.none("off").placesGpus()).isFalse();
  }
}

package io.sage.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.gpu.ActiveGpuProvider;
import io.sage.host.gpu.GpuMemoryNeed;
import io.sage.host.gpu.GpuRequest;
import io.sage.host.gpu.GpuReservations;
import io.sage.host.plugin.PluginHost;
import io.sage.spi.gpu.GpuDevice;
import io.sage.spi.gpu.GpuProvider;
import io.sage.spi.gpu.GpuStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuOverviewTest {
  record FixedProvider(String name, int priority, boolean available) implements GpuProvider {
    @Override
    public GpuStatus status() {
      return available ? GpuStatus.ok(name + " ok") : GpuStatus.unavailable(name + ": no driver");
    }

    @Override
    public List<GpuDevice> devices() {
      return List.of();
    }
  }

  /** A provider whose status call blows up, as a broken native library would. */
  record BrokenProvider(String name) implements GpuProvider {
    @Override
    public int priority() {
      return 1;
    }

    @Override
    public GpuStatus status() {
      throw new UnsatisfiedLinkError("libnvidia-ml.so.1: cannot open shared object file");
    }

    @Override
    public List<GpuDevice> devices() {
      return List.of();
    }
  }

  @TempDir Path plugins;
  private PluginHost host;
  private final GpuReservations reservations = new GpuReservations();
  private final List<GpuDevice> gpus =
      List.of(
          new GpuDevice(0, "GPU-0", "Test GPU", 81920, 0, 0, null, null, List.of()),
          new GpuDevice(1, "GPU-1", "Test GPU", 81920, 0, 0, null, null, List.of()));

  @BeforeEach
  void setUp() {
    host = new PluginHost(List.of(plugins));
    host.start();
  }

  @AfterEach
  void tearDown() {
    host.close();
  }

  private GpuOverview overview(List<GpuProvider> providers, String configured) {
    return new GpuOverview(new ActiveGpuProvider(() -> providers, configured), reservations, host);
  }

  @Test
  void theActiveProviderIsTheAvailableOneOfBestPriority() {
    GpuProvider fake = new FixedProvider("fake", 50, true);
    GpuOverview overview = overview(List.of(new FixedProvider("nvml", 10, false), fake), "");
    assertThat(overview.active()).containsSame(fake);
  }

  @Test
  void withoutAnAvailableProviderTheReasonIsShown() {
    GpuOverview overview = overview(List.of(new FixedProvider("nvml", 10, false)), "auto");
    assertThat(overview.active()).isEmpty();
    assertThat(overview.unavailableReason()).isEqualTo("no GPU provider available");
  }

  @Test
  void theListedProvidersAreThePluginsOnes() {
    // no plugin jars in the directory: no providers, whatever the active source was given
    GpuOverview overview = overview(List.of(new FixedProvider("fake", 50, true)), "");
    assertThat(overview.providers()).isEqualTo(host.gpuProviders()).isEmpty();
  }

  @Test
  void aProviderThatThrowsIsReportedUnavailableWithTheReason() {
    GpuOverview overview = overview(List.of(), "");
    GpuStatus status = overview.status(new BrokenProvider("nvml"));
    assertThat(status.available()).isFalse();
    assertThat(status.message())
        .startsWith("nvml failed: ")
        .contains("libnvidia-ml.so.1: cannot open shared object file");
    assertThat(overview.status(new FixedProvider("fake", 1, true)).available()).isTrue();
  }

  @Test
  void reservationsAreShownPerGpu() {
    GpuOverview overview = overview(List.of(), "");
    assertThat(overview.reservedMib()).isEmpty();
    assertThat(overview.holders()).isEmpty();

    reservations.reserve(
        "eng-a",
        "eng-a",
        gpus,
        Set.of(),
        new GpuRequest(List.of(), 2, new GpuMemoryNeed(30000, "t")));
    reservations.reserve(
        "eng-b",
        "eng-b",
        gpus,
        Set.of(),
        new GpuRequest(List.of(1), 1, new GpuMemoryNeed(10000, "t")));

    assertThat(overview.reservedMib()).containsExactly(Map.entry(0, 30000L), Map.entry(1, 40000L));
    assertThat(overview.holders())
        .containsExactly(Map.entry(0, List.of("eng-a")), Map.entry(1, List.of("eng-a", "eng-b")));

    reservations.release("eng-a");
    assertThat(overview.reservedMib()).containsExactly(Map.entry(1, 10000L));
  }
}

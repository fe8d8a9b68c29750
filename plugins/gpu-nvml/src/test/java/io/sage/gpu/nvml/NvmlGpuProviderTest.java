package io.sage.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.gpu.GpuDevice;
import io.sage.spi.gpu.GpuDevice.GpuProcess;
import io.sage.spi.gpu.GpuProvider;
import io.sage.testkit.gpu.GpuProviderContract;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class NvmlGpuProviderTest {
  private static final long MIB = 1024L * 1024L;

  private static FakeNvml twoGpus() {
    FakeNvml nvml = new FakeNvml();
    nvml.devices.add(
        new FakeNvml.Device(
            "NVIDIA H100 80GB HBM3",
            "GPU-aaaa",
            81559 * MIB,
            4096 * MIB + 12345,
            37,
            45,
            123_456,
            List.of(new long[] {4242, 4000 * MIB})));
    nvml.devices.add(
        new FakeNvml.Device(
            "NVIDIA H100 80GB HBM3", "GPU-bbbb", 81559 * MIB, 0, 0, 30, 70_000, List.of()));
    return nvml;
  }

  private static NvmlGpuProvider providerOver(NvmlLibrary nvml) {
    return new NvmlGpuProvider(() -> new NvmlLoader(List.of("fake"), name -> nvml).load());
  }

  @Test
  void nameAndPriority() {
    NvmlGpuProvider provider = providerOver(twoGpus());

    assertThat(provider.name()).isEqualTo("nvml");
    assertThat(provider.priority()).isEqualTo(10);
  }

  @Test
  void readsEveryFigureOfEveryGpu() {
    NvmlGpuProvider provider = providerOver(twoGpus());

    assertThat(provider.status())
        .extracting(s -> s.available(), s -> s.message())
        .containsExactly(true, "NVML ready: driver 550.54.15, 2 GPUs");
    List<GpuDevice> devices = provider.devices();
    assertThat(devices).hasSize(2);
    assertThat(devices.get(0))
        .isEqualTo(
            new GpuDevice(
                0,
                "GPU-aaaa",
                "NVIDIA H100 80GB HBM3",
                81559,
                4096,
                37,
                45,
                123.456,
                List.of(new GpuProcess(4242, 4000))));
    assertThat(devices.get(1).memoryFreeMib()).isEqualTo(81559);
    assertThat(devices.get(1).processes()).isEmpty();
  }

  @Test
  void leavesOutFiguresTheGpuDoesNotReport() {
    FakeNvml nvml = twoGpus();
    nvml.utilizationResult = NvmlLibrary.ERROR_NOT_SUPPORTED;
    nvml.temperatureResult = NvmlLibrary.ERROR_NOT_SUPPORTED;
    nvml.powerResult = NvmlLibrary.ERROR_NO_PERMISSION;

    GpuDevice device = providerOver(nvml).devices().get(0);

    assertThat(device.utilizationPct()).isNull();
    assertThat(device.temperatureC()).isNull();
    assertThat(device.powerWatts()).isNull();
    assertThat(device.memoryTotalMib()).isEqualTo(81559);
  }

  @Test
  void fallsBackToOlderProcessFunctions() {
    FakeNvml nvml = twoGpus();
    nvml.newestProcessFunction = 1;

    assertThat(providerOver(nvml).devices().get(0).processes())
        .containsExactly(new GpuProcess(4242, 4000));
  }

  @Test
  void aRequiredFigureFailingFailsTheReadNamingGpuAndFunction() {
    FakeNvml nvml = twoGpus();
    nvml.memoryResult = NvmlLibrary.ERROR_NO_PERMISSION;
    NvmlGpuProvider provider = providerOver(nvml);

    assertThatThrownBy(provider::devices)
        .isInstanceOf(SageException.class)
        .hasMessage(
            "GPU provider nvml: GPU 0: nvmlDeviceGetMemoryInfo failed: Unknown Error" + " (code 4)")
        .extracting(e -> ((SageException) e).code())
        .isEqualTo(ErrorCode.PLUGIN_FAILURE);
  }

  @Test
  void driverNotLoadedIsAClearStatus() {
    FakeNvml nvml = twoGpus();
    nvml.initResult = NvmlLibrary.ERROR_DRIVER_NOT_LOADED;
    NvmlGpuProvider provider = providerOver(nvml);

    assertThat(provider.status().available()).isFalse();
    assertThat(provider.status().message())
        .isEqualTo(
            "NVML unavailable: the NVIDIA kernel driver"
                + " is not loaded: Driver Not Loaded (code 9)");
    assertThatThrownBy(provider::devices)
        .hasMessage(
            "GPU provider nvml: NVML unavailable: the NVIDIA kernel driver is not loaded: Driver Not"
                + " Loaded (code 9)");
  }

  @Test
  void missingLibraryIsAClearStatusNamingEveryAttempt() {
    NvmlGpuProvider provider =
        new NvmlGpuProvider(
            () ->
                new NvmlLoader(
                        List.of("libnvidia-ml-missing.so.1", "nvidia-ml-missing"),
                        name -> {
                          throw new UnsatisfiedLinkError(
                              name + ": cannot open shared object file\nmore detail");
                        })
                    .load());

    assertThat(provider.status().message())
        .isEqualTo(
            "NVML unavailable: no NVIDIA driver found,"
                + " libnvidia-ml could not be loaded (libnvidia-ml-missing.so.1:"
                + " libnvidia-ml-missing.so.1: cannot open shared object file; nvidia-ml-missing:"
                + " nvidia-ml-missing: cannot open shared object file)");
  }

  @Test
  void realJnaLoadOfAMissingLibraryFailsCleanly() {
    NvmlGpuProvider provider =
        new NvmlGpuProvider(
            () ->
                new NvmlLoader(
                        List.of("libsage-no-such-nvml.so.1"),
                        name -> com.sun.jna.Native.load(name, NvmlLibrary.class))
                    .load());

    assertThat(provider.status().available()).isFalse();
    assertThat(provider.status().message())
        .startsWith("NVML unavailable: no NVIDIA driver found")
        .contains("libsage-no-such-nvml.so.1");
    assertThatThrownBy(provider::devices)
        .isInstanceOf(SageException.class)
        .hasMessageStartingWith("GPU provider nvml: NVML unavailable:");
  }

  @Test
  void withoutADriverHereTheDefaultProviderSaysSo() {
    assumeFalse(NvmlGpuTest.driverLoadable(), "this machine has an NVIDIA driver");
    NvmlGpuProvider provider = new NvmlGpuProvider();

    assertThat(provider.status().available()).isFalse();
    assertThat(provider.status().message()).startsWith("NVML unavailable: ");
    assertThatThrownBy(provider::devices)
        .isInstanceOf(SageException.class)
        .hasMessageStartingWith("GPU provider nvml: NVML unavailable: ");
  }

  @Test
  void loadsOnceAndShutsDownOnClose() {
    AtomicInteger loads = new AtomicInteger();
    FakeNvml nvml = twoGpus();
    NvmlGpuProvider provider =
        new NvmlGpuProvider(
            () -> {
              loads.incrementAndGet();
              return new NvmlLoader(List.of("fake"), name -> nvml).load();
            });

    provider.status();
    provider.devices();
    provider.status();
    assertThat(loads).hasValue(1);

    provider.close();
    assertThat(nvml.shutDown).isTrue();
    provider.status();
    assertThat(loads).hasValue(2);
  }

  @Test
  void libraryPropertyForcesTheName() {
    String previous = System.getProperty(NvmlLoader.LIBRARY_PROPERTY);
    System.setProperty(NvmlLoader.LIBRARY_PROPERTY, "/opt/nowhere/libnvidia-ml.so.1");
    try {
      assertThat(new NvmlGpuProvider().status().message())
          .contains("/opt/nowhere/libnvidia-ml.so.1");
    } finally {
      if (previous == null) {
        System.clearProperty(NvmlLoader.LIBRARY_PROPERTY);
      } else {
        System.setProperty(NvmlLoader.LIBRARY_PROPERTY, previous);
      }
    }
  }

  @Nested
  class OverAFakeDriver extends GpuProviderContract {
    @Override
    protected GpuProvider provider() {
      return providerOver(twoGpus());
    }
  }

  @Nested
  class WithoutADriver extends GpuProviderContract {
    @Override
    protected GpuProvider provider() {
      return new NvmlGpuProvider(
          () ->
              new NvmlLoader(
                      List.of("libsage-no-such-nvml.so.1"),
                      name -> com.sun.jna.Native.load(name, NvmlLibrary.class))
                  .load());
    }
  }

  /** Whatever this machine has: unavailable without a driver, the real GPUs with one. */
  @Nested
  class OnThisMachine extends GpuProviderContract {
    @Override
    protected GpuProvider provider() {
      return new NvmlGpuProvider();
    }
  }
}

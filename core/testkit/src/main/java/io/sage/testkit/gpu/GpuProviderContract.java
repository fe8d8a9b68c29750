package io.sage.testkit.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.gpu.GpuDevice;
import io.sage.spi.gpu.GpuProvider;
import io.sage.spi.gpu.GpuStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link GpuProvider} owes the host, whichever state it is in. A provider's
 * test extends this class once per situation it can set up (GPUs readable, no driver, broken file);
 * the checks that do not apply to the situation at hand are skipped, not passed.
 */
public abstract class GpuProviderContract {

  /** A provider in the situation this subclass sets up; called once per test. */
  protected abstract GpuProvider provider();

  @Test
  void nameIsNonBlankLowerCase() {
    String name = provider().name();

    assertThat(name).isNotBlank().matches("[a-z0-9][a-z0-9-]*");
  }

  @Test
  void statusNeverThrowsAndExplainsItself() {
    GpuProvider provider = provider();

    assertThatCode(provider::status).doesNotThrowAnyException();
    GpuStatus status = provider.status();
    assertThat(status.message()).isNotBlank();
    assertThat(provider.status().available())
        .as("status is stable between two calls")
        .isEqualTo(status.available());
  }

  @Test
  void availableProviderListsDevicesByUniqueAscendingIndex() {
    GpuProvider provider = provider();
    assumeTrue(provider.status().available(), "provider is unavailable here");

    List<GpuDevice> devices = provider.devices();

    List<Integer> indexes = devices.stream().map(GpuDevice::index).toList();
    assertThat(indexes).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void availableProviderReportsConsistentMemory() {
    GpuProvider provider = provider();
    assumeTrue(provider.status().available(), "provider is unavailable here");

    for (GpuDevice device : provider.devices()) {
      assertThat(device.memoryUsedMib())
          .as("GPU %d used memory", device.index())
          .isLessThanOrEqualTo(device.memoryTotalMib());
      assertThat(device.uuid()).as("GPU %d uuid", device.index()).isNotBlank();
      assertThat(device.name()).as("GPU %d name", device.index()).isNotBlank();
      if (device.utilizationPct() != null) {
        assertThat(device.utilizationPct()).isBetween(0, 100);
      }
    }
  }

  @Test
  void unavailableProviderRefusesDevicesNamingItself() {
    GpuProvider provider = provider();
    assumeFalse(provider.status().available(), "provider is available here");

    Throwable thrown = catchThrowable(provider::devices);

    assertThat(thrown).isInstanceOf(SageException.class);
    SageException failure = (SageException) thrown;
    assertThat(failure.code()).isEqualTo(ErrorCode.PLUGIN_FAILURE);
    assertThat(failure.getMessage()).contains(provider.name());
  }
}

package io.sage.spi.gpu;

import java.util.List;
import java.util.Objects;

/**
 * One GPU as its provider sees it at one moment. Figures a provider cannot read are {@code null}.
 *
 * @param index the index the driver gives it (as in {@code CUDA_VISIBLE_DEVICES})
 * @param uuid stable identity
 * @param name model name
 * @param memoryTotalMib total memory in MiB
 * @param memoryUsedMib memory in use in MiB, by any process
 * @param utilizationPct compute utilisation in percent, or null
 * @param temperatureC temperature in degrees Celsius, or null
 * @param powerWatts power draw in watts, or null
 * @param processes compute processes on the device
 */
public record GpuDevice(
    int index,
    String uuid,
    String name,
    long memoryTotalMib,
    long memoryUsedMib,
    Integer utilizationPct,
    Integer temperatureC,
    Double powerWatts,
    List<GpuProcess> processes) {

  public GpuDevice {
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0");
    }
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(name, "name");
    if (memoryTotalMib < 0 || memoryUsedMib < 0) {
      throw new IllegalArgumentException("memory figures must be >= 0");
    }
    processes = processes == null ? List.of() : List.copyOf(processes);
  }

  /** Memory not in use, in MiB. */
  public long memoryFreeMib() {
    return Math.max(0, memoryTotalMib - memoryUsedMib);
  }

  /** A compute process on a GPU. */
  public record GpuProcess(long pid, long usedMemoryMib) {}
}

package io.sage.spi.engine;

import java.util.Objects;

/**
 * The GPU memory an engine declares it needs, as a runtime reads it from the engine's options.
 *
 * @param perGpuMib MiB that must be free on each of the engine's GPUs
 * @param source a phrase saying where the figure came from, shown in placement errors (for example
 *     {@code option gpu_memory_gb=40 per GPU})
 */
public record GpuMemoryRequest(long perGpuMib, String source) {
  public GpuMemoryRequest {
    if (perGpuMib <= 0) {
      throw new IllegalArgumentException("perGpuMib must be > 0, got " + perGpuMib);
    }
    Objects.requireNonNull(source, "source");
  }
}

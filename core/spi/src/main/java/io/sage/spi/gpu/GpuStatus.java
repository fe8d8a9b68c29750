package io.sage.spi.gpu;

import java.util.Objects;

/**
 * Whether a provider can report GPUs here, and why not.
 *
 * @param available true when {@link GpuProvider#devices()} can be called
 * @param message a sentence for operators ("NVML unavailable: libnvidia-ml.so.1 not found")
 */
public record GpuStatus(boolean available, String message) {
  public GpuStatus {
    Objects.requireNonNull(message, "message");
  }

  public static GpuStatus ok(String message) {
    return new GpuStatus(true, message);
  }

  public static GpuStatus unavailable(String message) {
    return new GpuStatus(false, message);
  }
}

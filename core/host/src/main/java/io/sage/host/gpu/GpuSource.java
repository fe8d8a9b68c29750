package io.sage.host.gpu;

import io.sage.spi.gpu.GpuDevice;
import java.util.List;
import java.util.Optional;

/**
 * Where placement reads the GPUs of this machine from: the active GPU provider, chosen by the
 * gateway. An interface so that core/host stays free of configuration frameworks and tests can hand
 * in fixed devices.
 */
public interface GpuSource {

  /** The active provider's name, or empty when there is none. */
  Optional<String> providerName();

  /** Why no GPUs can be read (no provider, no driver); shown in placement errors. */
  String unavailableReason();

  /**
   * The GPUs now, ordered by index; empty when there is no provider. Called on request threads; may
   * block briefly (NVML).
   *
   * @throws io.sage.spi.SageException PLUGIN_FAILURE when the provider cannot read its devices
   */
  List<GpuDevice> devices();

  /**
   * Whether the gateway places GPUs at all. False for the provider {@code none} chosen on purpose:
   * engines then launch without placement or reservations and see the GPUs the gateway itself sees
   * (the operator manages {@code CUDA_VISIBLE_DEVICES}).
   */
  default boolean placesGpus() {
    return true;
  }

  /** GPU placement turned off (GPU provider {@code none}): see {@link #placesGpus()}. */
  static GpuSource none(String reason) {
    return new GpuSource() {
      @Override
      public boolean placesGpus() {
        return false;
      }

      @Override
      public Optional<String> providerName() {
        return Optional.empty();
      }

      @Override
      public String unavailableReason() {
        return reason;
      }

      @Override
      public List<GpuDevice> devices() {
        return List.of();
      }
    };
  }
}

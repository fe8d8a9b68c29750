package io.sage.spi.gpu;

import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * Reports the GPUs of this machine ({@code nvml}, {@code fake}, ...), found by the host as a PF4J
 * extension. The host calls it from a worker thread, never from the event loop; calls may block.
 * Implementations must be thread-safe and must never crash the host when no driver is present.
 */
public interface GpuProvider extends ExtensionPoint {

  /** Stable name used in the {@code gpu.provider} setting. */
  String name();

  /**
   * Order when the host picks the provider itself: the available provider with the lowest number
   * wins.
   */
  default int priority() {
    return 100;
  }

  /** Whether this provider works here; called at startup and whenever {@code /gpu} is read. */
  GpuStatus status();

  /**
   * The GPUs now, ordered by index.
   *
   * @throws io.sage.spi.SageException with {@code PLUGIN_FAILURE} when the devices cannot be read,
   *     the message naming the provider and the reason
   */
  List<GpuDevice> devices();
}

package io.sage.host.cluster;

import java.util.Objects;

/**
 * One GPU of a node, as its GPU provider reported it when the node registered.
 *
 * @param index the provider's index on that host
 * @param name the device name
 * @param memoryTotalMib its memory
 */
public record NodeGpu(int index, String name, long memoryTotalMib) {
  public NodeGpu {
    Objects.requireNonNull(name, "name");
    if (index < 0 || memoryTotalMib < 0) {
      throw new IllegalArgumentException(
          "GPU " + index + " (" + name + "): index and memory must not be negative");
    }
  }
}

package io.sage.host.engine;

import java.net.URI;
import java.util.List;

/**
 * Where an engine runs and what it holds: its address and the GPUs placed for it.
 *
 * @param host address the engine listens on
 * @param port port the engine listens on, or null (a remote URL without a port)
 * @param baseUrl the engine's base URL ({@code http://host:port}, or the remote URL)
 * @param gpuIds GPUs placed for it
 * @param gpuMemoryMib memory reserved on each of those GPUs
 */
public record Placement(
    String host, Integer port, String baseUrl, List<Integer> gpuIds, long gpuMemoryMib) {

  public Placement {
    gpuIds = gpuIds == null ? List.of() : List.copyOf(gpuIds);
    if (gpuMemoryMib < 0) {
      throw new IllegalArgumentException("gpuMemoryMib must be >= 0, got " + gpuMemoryMib);
    }
  }

  /** An engine this gateway launches on {@code host:port}. */
  public static Placement local(String host, int port, List<Integer> gpuIds, long gpuMemoryMib) {
    return new Placement(host, port, "http://" + host + ":" + port, gpuIds, gpuMemoryMib);
  }

  /** An engine that runs elsewhere, reached at {@code baseUrl}. */
  public static Placement remote(String baseUrl) {
    URI uri = URI.create(baseUrl);
    return new Placement(
        uri.getHost(), uri.getPort() == -1 ? null : uri.getPort(), baseUrl, List.of(), 0);
  }

  /** The same GPUs on another port (the old one was taken when the engine restarted). */
  public Placement onPort(int newPort) {
    return new Placement(host, newPort, "http://" + host + ":" + newPort, gpuIds, gpuMemoryMib);
  }

  /** The same address with other GPUs (placed again after a stop). */
  public Placement withGpus(List<Integer> newGpuIds, long newGpuMemoryMib) {
    return new Placement(host, port, baseUrl, newGpuIds, newGpuMemoryMib);
  }
}

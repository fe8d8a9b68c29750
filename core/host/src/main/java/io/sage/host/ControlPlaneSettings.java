package io.sage.host;

import io.sage.host.supervision.SupervisionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the control plane is configured with (the gateway reads it from its configuration).
 *
 * @param pluginRoots folders holding plugins, searched in order
 * @param enginesDir where each engine gets its folder and log ({@code <data-dir>/engines})
 * @param engineLogMaxBytes an engine log is rotated past this size
 * @param engineLogsKept rotated engine logs kept
 * @param portRangeStart first engine port
 * @param portRangeEnd last engine port
 * @param engineHost the address engines bind
 * @param gatewayAddresses this gateway's own addresses (never a remote URL)
 * @param gatewayPorts ports engines must never get
 * @param gpuProvider the configured GPU provider, or empty for the best available one
 * @param supervision the timings of the control loop
 */
public record ControlPlaneSettings(
    List<Path> pluginRoots,
    Path enginesDir,
    long engineLogMaxBytes,
    int engineLogsKept,
    int portRangeStart,
    int portRangeEnd,
    String engineHost,
    io.sage.host.management.SelfAddresses gatewayAddresses,
    Set<Integer> gatewayPorts,
    String gpuProvider,
    SupervisionConfig supervision) {

  public ControlPlaneSettings {
    pluginRoots = List.copyOf(pluginRoots);
    Objects.requireNonNull(enginesDir, "enginesDir");
    Objects.requireNonNull(engineHost, "engineHost");
    Objects.requireNonNull(gatewayAddresses, "gatewayAddresses");
    gatewayPorts = Set.copyOf(gatewayPorts);
    gpuProvider = gpuProvider == null ? "" : gpuProvider;
    Objects.requireNonNull(supervision, "supervision");
  }
}

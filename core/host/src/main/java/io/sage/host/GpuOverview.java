package io.sage.host;

import io.sage.host.gpu.ActiveGpuProvider;
import io.sage.host.gpu.GpuReservations;
import io.sage.host.plugin.PluginHost;
import io.sage.spi.gpu.GpuProvider;
import io.sage.spi.gpu.GpuStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The GPUs as the management API shows them: providers, the active one, and reservations. */
public final class GpuOverview {
  private final ActiveGpuProvider active;
  private final GpuReservations reservations;
  private final PluginHost plugins;

  GpuOverview(ActiveGpuProvider active, GpuReservations reservations, PluginHost plugins) {
    this.active = active;
    this.reservations = reservations;
    this.plugins = plugins;
  }

  /** The provider in charge: the configured one, else the available one of best priority. */
  public Optional<GpuProvider> active() {
    return active.active();
  }

  /** Why no provider is in charge, when none is. */
  public String unavailableReason() {
    return active.unavailableReason();
  }

  /** Every loaded provider, available or not. */
  public List<GpuProvider> providers() {
    return plugins.gpuProviders();
  }

  /** A provider's status; a provider that throws is reported unavailable with the reason. */
  public GpuStatus status(GpuProvider provider) {
    return ActiveGpuProvider.safeStatus(provider);
  }

  /** MiB reserved for engines per GPU index. */
  public Map<Integer, Long> reservedMib() {
    return reservations.reservedMib();
  }

  /** Engine ids holding reservations per GPU index. */
  public Map<Integer, List<String>> holders() {
    return reservations.engineIds();
  }
}

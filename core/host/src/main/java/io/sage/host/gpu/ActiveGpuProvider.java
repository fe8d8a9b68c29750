package io.sage.host.gpu;

import io.sage.spi.gpu.GpuDevice;
import io.sage.spi.gpu.GpuProvider;
import io.sage.spi.gpu.GpuStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The GPU provider in charge: the one named by configuration ({@code gpu.provider}), else the
 * available one with the lowest priority number, else none. Chosen anew on every call, because a
 * provider can become available later (a fake GPU file written after start, a driver loaded).
 */
public final class ActiveGpuProvider implements GpuSource {
  private final Supplier<List<GpuProvider>> providers;
  private final String configured;

  /**
   * @param providers the loaded providers (from the plugin host)
   * @param configured the configured provider name; blank or {@code auto} picks by priority, {@code
   *     none} turns GPU placement off
   */
  public ActiveGpuProvider(Supplier<List<GpuProvider>> providers, String configured) {
    this.providers = providers;
    this.configured = configured == null ? "" : configured.trim();
  }

  /** The provider in charge, available or not when it was named by configuration. */
  public Optional<GpuProvider> active() {
    List<GpuProvider> loaded = new ArrayList<>(providers.get());
    if (isNamed()) {
      return loaded.stream().filter(p -> p.name().equals(configured)).findFirst();
    }
    loaded.sort(Comparator.comparingInt(GpuProvider::priority));
    return loaded.stream().filter(p -> safeStatus(p).available()).findFirst();
  }

  /** False when configuration names the provider {@code none}: placement is off. */
  @Override
  public boolean placesGpus() {
    return !"none".equals(configured);
  }

  @Override
  public Optional<String> providerName() {
    return active().map(GpuProvider::name);
  }

  @Override
  public String unavailableReason() {
    Optional<GpuProvider> provider = active();
    if (provider.isPresent()) {
      GpuStatus status = safeStatus(provider.get());
      return status.available()
          ? "GPU provider " + provider.get().name() + " is available"
          : status.message();
    }
    if (isNamed() && !"none".equals(configured)) {
      return "configured GPU provider '" + configured + "' is not loaded";
    }
    return "no GPU provider available";
  }

  @Override
  public List<GpuDevice> devices() {
    Optional<GpuProvider> provider = active();
    if (provider.isEmpty() || !safeStatus(provider.get()).available()) {
      return List.of();
    }
    return provider.get().devices();
  }

  private boolean isNamed() {
    return !configured.isEmpty() && !"auto".equals(configured);
  }

  /** A provider's status; a provider that throws is reported unavailable, never propagated. */
  public static GpuStatus safeStatus(GpuProvider provider) {
    try {
      return provider.status();
    } catch (RuntimeException | LinkageError e) {
      return GpuStatus.unavailable(provider.name() + " failed: " + e);
    }
  }
}

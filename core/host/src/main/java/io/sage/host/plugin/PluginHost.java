package io.sage.host.plugin;

import io.sage.spi.SpiVersion;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.gpu.GpuProvider;
import io.sage.spi.job.SchedulerStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads PF4J plugins from the plugin folders and exposes their engine runtimes and GPU providers. A
 * plugin that fails (bad jar, wrong SPI version, an extension that cannot be created, a duplicate
 * runtime kind) is reported with its error; the gateway keeps running without it.
 */
public final class PluginHost implements RuntimeCatalog, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

  /** The one parent of all plugin class loaders; set before the manager can load anything. */
  private final HostApiClassLoader hostApi =
      new HostApiClassLoader(PluginHost.class.getClassLoader());

  private final DefaultPluginManager manager;
  private final Map<String, EngineRuntimeFactory> runtimes = new LinkedHashMap<>();
  private final Map<String, String> runtimePlugin = new LinkedHashMap<>();
  private final List<GpuProvider> gpuProviders = new ArrayList<>();
  private final Map<String, List<String>> extensionsByPlugin = new ConcurrentHashMap<>();
  private final Map<String, String> errors = new ConcurrentHashMap<>();

  public PluginHost(List<Path> pluginRoots) {
    this.manager = new SageManager(pluginRoots);
  }

  /** Loads and starts every plugin, then collects their extensions. Called once at startup. */
  public void start() {
    manager.setSystemVersion(SpiVersion.VERSION);
    manager.loadPlugins();
    manager.startPlugins();
    for (PluginWrapper plugin : manager.getPlugins()) {
      if (plugin.getPluginState().isStarted()) {
        collect(plugin);
      } else {
        errors.putIfAbsent(plugin.getPluginId(), describeFailure(plugin));
      }
    }
    LOG.info(
        "plugins: {} runtime(s) {}, {} GPU provider(s)",
        runtimes.size(),
        runtimes.keySet(),
        gpuProviders.size());
  }

  @Override
  public Optional<EngineRuntimeFactory> findRuntime(String kind) {
    return Optional.ofNullable(runtimes.get(kind));
  }

  @Override
  public List<String> runtimeKinds() {
    List<String> kinds = new ArrayList<>(runtimes.keySet());
    kinds.add("remote");
    return kinds;
  }

  public List<GpuProvider> gpuProviders() {
    return List.copyOf(gpuProviders);
  }

  /** Every plugin found, loaded or not, with its error. */
  public List<PluginInfo> plugins() {
    List<PluginInfo> infos = new ArrayList<>();
    for (PluginWrapper plugin : manager.getPlugins()) {
      PluginDescriptor descriptor = plugin.getDescriptor();
      String error = errors.get(plugin.getPluginId());
      String state =
          error != null && plugin.getPluginState().isStarted()
              ? "DEGRADED"
              : plugin.getPluginState().name();
      infos.add(
          new PluginInfo(
              plugin.getPluginId(),
              descriptor.getVersion(),
              state,
              String.valueOf(plugin.getPluginPath()),
              extensionsByPlugin.getOrDefault(plugin.getPluginId(), List.of()),
              error));
    }
    for (Map.Entry<String, String> unresolved : errors.entrySet()) {
      if (manager.getPlugin(unresolved.getKey()) == null) {
        infos.add(
            new PluginInfo(
                unresolved.getKey(),
                "",
                "FAILED",
                unresolved.getKey(),
                List.of(),
                unresolved.getValue()));
      }
    }
    return infos;
  }

  /** Plugin ids with the error each one failed with. */
  public Map<String, String> errors() {
    return Map.copyOf(errors);
  }

  private void collect(PluginWrapper plugin) {
    String id = plugin.getPluginId();
    ClassLoader loader = plugin.getPluginClassLoader();
    List<String> names = new ArrayList<>();
    for (Class<? extends EngineRuntimeFactory> type :
        manager.getExtensionClasses(EngineRuntimeFactory.class, id)) {
      EngineRuntimeFactory created = instantiate(id, type);
      if (created == null) {
        continue;
      }
      EngineRuntimeFactory factory =
          PluginContextCalls.wrap(EngineRuntimeFactory.class, created, loader);
      String kind;
      try {
        kind = factory.kind();
      } catch (RuntimeException | LinkageError e) {
        errors.put(id, "runtime " + type.getName() + " failed in kind(): " + e);
        continue;
      }
      if (kind == null || !kind.matches("[a-z0-9][a-z0-9-]{0,31}") || "remote".equals(kind)) {
        errors.put(id, "runtime " + type.getName() + " has an invalid kind '" + kind + "'");
      } else if (runtimes.containsKey(kind)) {
        errors.put(
            id,
            "duplicate runtime kind '"
                + kind
                + "': already provided by plugin "
                + runtimePlugin.get(kind));
      } else {
        runtimes.put(kind, factory);
        runtimePlugin.put(kind, id);
        names.add("engine-runtime:" + kind);
      }
    }
    for (Class<? extends GpuProvider> type : manager.getExtensionClasses(GpuProvider.class, id)) {
      GpuProvider created = instantiate(id, type);
      if (created != null) {
        GpuProvider provider = PluginContextCalls.wrap(GpuProvider.class, created, loader);
        gpuProviders.add(provider);
        names.add("gpu-provider:" + provider.name());
      }
    }
    extensionsByPlugin.put(id, names);
  }

  private <T> T instantiate(String pluginId, Class<? extends T> type) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(type.getClassLoader());
    try {
      return type.cast(manager.getExtensionFactory().create(type));
    } catch (RuntimeException | LinkageError e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      errors.put(pluginId, "extension " + type.getName() + " could not be created: " + cause);
      LOG.warn("plugin {}: extension {} could not be created", pluginId, type.getName(), e);
      return null;
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private String describeFailure(PluginWrapper plugin) {
    String requires = plugin.getDescriptor().getRequires();
    if (requires != null
        && !requires.isBlank()
        && !"*".equals(requires)
        && !manager.getVersionManager().checkVersionConstraint(SpiVersion.VERSION, requires)) {
      return "plugin requires SPI "
          + requires
          + " but this gateway provides SPI "
          + SpiVersion.VERSION;
    }
    if (plugin.getFailedException() != null) {
      Throwable failure = plugin.getFailedException();
      Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
      return failure.getMessage() + (cause != failure ? ": " + cause : "");
    }
    return "plugin is " + plugin.getPluginState();
  }

  @Override
  public void close() {
    // stop one by one over a copy: stopPlugins() can throw ConcurrentModificationException
    for (PluginWrapper plugin : new ArrayList<>(manager.getStartedPlugins())) {
      try {
        manager.stopPlugin(plugin.getPluginId());
      } catch (RuntimeException e) {
        LOG.warn("plugin {} failed to stop", plugin.getPluginId(), e);
      }
    }
  }

  /**
   * PF4J manager with child-first, SPI-shared class loaders (every plugin's parent shows only the
   * SPI, PF4J and SLF4J of the gateway) and failures recorded instead of thrown.
   */
  private final class SageManager extends DefaultPluginManager {
    SageManager(List<Path> roots) {
      super(roots);
    }

    @Override
    protected PluginLoader createPluginLoader() {
      PluginManager self = this;
      return new CompoundPluginLoader()
          .add(
              new DefaultPluginLoader(this) {
                @Override
                protected PluginClassLoader createPluginClassLoader(
                    Path pluginPath, PluginDescriptor descriptor) {
                  return new SpiFirstClassLoader(self, descriptor, hostApi);
                }
              },
              this::isNotDevelopment)
          .add(
              new JarPluginLoader(this) {
                @Override
                protected PluginClassLoader createPluginClassLoader(
                    Path pluginPath, PluginDescriptor descriptor) {
                  // JarPluginLoader.loadPlugin adds the jar itself
                  return new SpiFirstClassLoader(self, descriptor, hostApi);
                }
              },
              this::isNotDevelopment);
    }

    @Override
    protected PluginWrapper loadPluginFromPath(Path pluginPath) {
      try {
        return super.loadPluginFromPath(pluginPath);
      } catch (RuntimeException e) {
        String name = pluginPath.getFileName().toString();
        errors.put(name, "cannot load plugin from " + pluginPath + ": " + e.getMessage());
        LOG.warn("cannot load plugin from {}", pluginPath, e);
        return null;
      }
    }
  }

  /**
   * The schedulers behind job runtimes (Slurm), by runtime kind. Asks each one now: blocks for at
   * most its command timeout; call it off the event loop.
   */
  public Map<String, io.sage.spi.job.SchedulerStatus> schedulers() {
    Map<String, io.sage.spi.job.SchedulerStatus> schedulers = new LinkedHashMap<>();
    for (String kind : runtimeKinds()) {
      Optional<io.sage.spi.job.RemoteJobs> jobs =
          findRuntime(kind).flatMap(EngineRuntimeFactory::remoteJobs);
      if (jobs.isPresent()) {
        SchedulerStatus status;
        try {
          status = jobs.get().schedulerStatus();
        } catch (RuntimeException e) {
          status = new SchedulerStatus(false, "status failed: " + e, List.of());
        }
        schedulers.put(kind, status);
      }
    }
    return schedulers;
  }
}

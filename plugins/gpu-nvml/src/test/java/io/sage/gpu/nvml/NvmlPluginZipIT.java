package io.sage.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.SpiVersion;
import io.sage.spi.gpu.GpuProvider;
import io.sage.spi.gpu.GpuStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * The deployable artifact: the PF4J zip built in the package phase, with JNA inside, loaded the way
 * the host loads plugins. Without a driver it must load and report, not crash.
 */
class NvmlPluginZipIT {
  @TempDir Path pluginsRoot;

  private static Path builtZip() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().endsWith("-plugin.zip"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no *-plugin.zip in target/"));
    }
  }

  @Test
  void zipHasThePf4jLayoutWithJnaInside() throws IOException {
    List<String> entries = new ArrayList<>();
    try (ZipFile zip = new ZipFile(builtZip().toFile())) {
      Collections.list(zip.entries()).forEach(entry -> entries.add(entry.getName()));
    }

    assertThat(entries)
        .contains(
            "plugin.properties",
            "classes/META-INF/extensions.idx",
            "classes/io/sage/gpu/nvml/NvmlGpuProvider.class");
    assertThat(entries).anyMatch(name -> name.matches("lib/jna-[0-9.]+\\.jar"));
    assertThat(entries)
        .noneMatch(
            name ->
                name.startsWith("lib/sage-spi")
                    || name.startsWith("lib/pf4j")
                    || name.startsWith("lib/slf4j"));
  }

  @Test
  void pf4jLoadsTheZipAndTheProviderReportsWithoutCrashing() throws IOException {
    Files.copy(builtZip(), pluginsRoot.resolve("gpu-nvml.zip"));
    PluginManager plugins = new DefaultPluginManager(pluginsRoot);
    plugins.setSystemVersion(SpiVersion.VERSION);
    plugins.loadPlugins();
    plugins.startPlugins();
    try {
      PluginWrapper plugin = plugins.getPlugin("gpu-nvml");
      assertThat(plugin).as("plugin gpu-nvml loaded").isNotNull();
      assertThat(plugin.getPluginState()).isEqualTo(PluginState.STARTED);

      List<GpuProvider> providers = plugins.getExtensions(GpuProvider.class, "gpu-nvml");
      assertThat(providers).singleElement().extracting(GpuProvider::name).isEqualTo("nvml");
      GpuProvider provider = providers.get(0);
      assertThat(provider.getClass().getClassLoader()).isSameAs(plugin.getPluginClassLoader());

      GpuStatus status = provider.status();
      if (!status.available()) {
        assertThat(status.message()).startsWith("NVML unavailable: ");
      } else {
        assertThat(provider.devices()).isNotEmpty();
      }
    } finally {
      // unloadPlugins stops each plugin first; pf4j 3.15's stopPlugins() trips over its own
      // list (ConcurrentModificationException) when a plugin is started
      plugins.unloadPlugins();
    }
  }
}

package io.sage.host.plugin;

import org.pf4j.ClassLoadingStrategy;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * A plugin class loader that always takes the SPI and slf4j from the host, so that a copy bundled
 * in a plugin by mistake cannot shadow them (the Kafka Connect lesson).
 */
final class SpiFirstClassLoader extends PluginClassLoader {
  SpiFirstClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
    super(manager, descriptor, parent, ClassLoadingStrategy.APD);
  }

  @Override
  protected boolean shouldDelegateToParent(String className) {
    return className.startsWith("io.sage.spi.")
        || className.startsWith("org.slf4j.")
        || super.shouldDelegateToParent(className);
  }
}

package io.sage.host.plugin;

import org.pf4j.ClassLoadingStrategy;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * A plugin's class loader, child-first: a class comes from the plugin's own jar or {@code lib/}
 * before anything else, except the SPI, PF4J and SLF4J, which always come from the gateway so that
 * a copy bundled by mistake cannot shadow them (the Kafka Connect lesson). Its parent, a {@link
 * HostApiClassLoader}, shows nothing else of the gateway.
 */
final class SpiFirstClassLoader extends PluginClassLoader {
  SpiFirstClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
    super(manager, descriptor, parent, ClassLoadingStrategy.PDA);
  }

  @Override
  protected boolean shouldDelegateToParent(String className) {
    return HostApiClassLoader.isShared(className) || super.shouldDelegateToParent(className);
  }
}

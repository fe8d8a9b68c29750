package io.sage.host.plugin;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The parent of every plugin class loader: it shows a plugin the JDK (through the platform class
 * loader) and, from the gateway, only the packages plugins share with it: the SPI, PF4J and SLF4J.
 * Everything else on the gateway's class path (Micronaut, Netty, the gateway's Jackson, H2) does
 * not exist for a plugin, so a plugin runs with the libraries it bundles, or fails at once when it
 * forgot one, never with whatever version the gateway happens to carry (the Trino pattern).
 */
final class HostApiClassLoader extends ClassLoader {
  /** Package prefixes a plugin always takes from the gateway, never from its own jar. */
  static final List<String> SHARED_PACKAGES = List.of("io.sage.spi.", "org.pf4j.", "org.slf4j.");

  static {
    registerAsParallelCapable();
  }

  private final ClassLoader host;

  HostApiClassLoader(ClassLoader host) {
    super("sage-plugin-api", ClassLoader.getPlatformClassLoader());
    this.host = host;
  }

  /** Whether {@code className} belongs to the packages the gateway shares with plugins. */
  static boolean isShared(String className) {
    for (String prefix : SHARED_PACKAGES) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isSharedResource(String name) {
    return isShared(name.replace('/', '.'));
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (isShared(name)) {
      return host.loadClass(name);
    }
    return super.loadClass(name, resolve);
  }

  @Override
  public URL getResource(String name) {
    return isSharedResource(name) ? host.getResource(name) : super.getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    return isSharedResource(name) ? host.getResources(name) : super.getResources(name);
  }

  @Override
  protected URL findResource(String name) {
    return null;
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    return Collections.emptyEnumeration();
  }
}

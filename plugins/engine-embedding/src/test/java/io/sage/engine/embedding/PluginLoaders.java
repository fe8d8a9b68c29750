package io.sage.engine.embedding;

import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Classloaders shaped like the gateway's plugin loading: only the SPI, pf4j and slf4j shared. */
final class PluginLoaders {

  private PluginLoaders() {}

  /** The host side: the SPI, pf4j and slf4j come from the test's loader, nothing else. */
  static final class SharedPackages extends ClassLoader {
    private static final List<String> SHARED = List.of("io.sage.spi.", "org.pf4j.", "org.slf4j.");

    SharedPackages() {
      super(ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      if (SHARED.stream().anyMatch(name::startsWith)) {
        return PluginLoaders.class.getClassLoader().loadClass(name);
      }
      throw new ClassNotFoundException(name);
    }
  }

  /** A plugin classloader over classes/ and lib jars that records every class it is asked for. */
  static final class Recording extends URLClassLoader {
    final Set<String> requested = ConcurrentHashMap.newKeySet();

    Recording(List<Path> paths) {
      super(urls(paths), new SharedPackages());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      requested.add(name);
      return super.loadClass(name, resolve);
    }

    boolean isLoaded(String name) {
      return findLoadedClass(name) != null;
    }

    private static URL[] urls(List<Path> paths) {
      URL[] urls = new URL[paths.size()];
      for (int i = 0; i < urls.length; i++) {
        try {
          urls[i] = paths.get(i).toUri().toURL();
        } catch (MalformedURLException e) {
          throw new UncheckedIOException(e);
        }
      }
      return urls;
    }
  }
}

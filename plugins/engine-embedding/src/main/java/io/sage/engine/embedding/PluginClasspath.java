package io.sage.engine.embedding;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the classpath of the engine's child JVM from where this plugin was loaded.
 *
 * <p>The extracted PF4J zip and Maven's build folder have the same shape: {@code classes/} (this
 * class's code source) beside {@code lib/} holding every runtime jar. The child gets both, plus the
 * jar that holds slf4j-api: the plugin does not bundle it (the host provides it), yet ONNX's
 * tokenizer library logs through it. Without a {@code lib/} folder (an IDE run), the JVM's own
 * classpath is used.
 */
final class PluginClasspath {

  private PluginClasspath() {}

  /** The child JVM's classpath entries, in order. */
  static List<Path> entries() {
    Path location = codeSource(PluginClasspath.class);
    Path lib = location.getParent() == null ? null : location.getParent().resolve("lib");
    if (lib == null || !Files.isDirectory(lib)) {
      return fromJavaClassPath();
    }
    List<Path> entries = new ArrayList<>();
    entries.add(location);
    try (Stream<Path> jars = Files.list(lib)) {
      jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(entries::add);
    } catch (IOException e) {
      throw new IllegalStateException("cannot list the embedding plugin's lib folder " + lib, e);
    }
    Path slf4j = slf4jJar();
    if (slf4j != null && !entries.contains(slf4j)) {
      entries.add(slf4j);
    }
    return entries;
  }

  /** The entries joined with the platform's path separator, ready for {@code -cp}. */
  static String asArgument() {
    return String.join(File.pathSeparator, entries().stream().map(Path::toString).toList());
  }

  private static List<Path> fromJavaClassPath() {
    return Stream.of(System.getProperty("java.class.path", "").split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .toList();
  }

  /** The jar or folder slf4j-api is loaded from, or {@code null} where the host has none. */
  private static Path slf4jJar() {
    try {
      Class<?> logger =
          Class.forName("org.slf4j.LoggerFactory", false, PluginClasspath.class.getClassLoader());
      return codeSource(logger);
    } catch (ClassNotFoundException | IllegalStateException e) {
      return null;
    }
  }

  private static Path codeSource(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from");
    }
    try {
      return Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
    } catch (URISyntaxException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot tell where " + type.getName() + " was loaded from", e);
    }
  }
}

package io.sage.gateway.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The console's page modules: every {@code console/pages/*.js} on the class path, found once. A
 * page is one file; the console's shell imports every name listed here, so adding a page touches
 * nothing else.
 */
final class ConsolePages {
  static final String FOLDER = "console/pages/";

  private ConsolePages() {}

  static List<String> find(ClassLoader loader) {
    List<String> names = new ArrayList<>();
    try {
      Enumeration<URL> folders = loader.getResources(FOLDER);
      for (URL folder : Collections.list(folders)) {
        names.addAll(list(folder));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the console's pages", e);
    }
    return names.stream().filter(n -> n.matches("[a-z0-9_-]+\\.js")).distinct().sorted().toList();
  }

  private static List<String> list(URL folder) throws IOException {
    switch (folder.getProtocol()) {
      case "jar" -> {
        JarURLConnection connection = (JarURLConnection) folder.openConnection();
        connection.setUseCaches(false);
        List<String> names = new ArrayList<>();
        try (JarFile jar = connection.getJarFile()) {
          for (JarEntry entry : Collections.list(jar.entries())) {
            String name = entry.getName();
            if (name.startsWith(FOLDER) && !entry.isDirectory()) {
              names.add(name.substring(FOLDER.length()));
            }
          }
        }
        return names;
      }
      case "file" -> {
        try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
          return files.map(p -> p.getFileName().toString()).toList();
        } catch (URISyntaxException e) {
          throw new IOException("bad console folder " + folder, e);
        }
      }
      default -> {
        return List.of();
      }
    }
  }
}

package io.sage.host.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds PF4J directory plugins ({@code plugin.properties}, {@code classes/}, {@code lib/*.jar})
 * from Java sources compiled at test time, the layout an extracted plugin zip has.
 */
final class DirectoryPlugins {
  private DirectoryPlugins() {}

  /**
   * Compiles {@code sources} (class name → source) into {@code out}, against the test class path.
   */
  static void compile(Map<String, String> sources, Path out) throws IOException {
    Path src = Files.createTempDirectory("plugin-src");
    for (Map.Entry<String, String> source : sources.entrySet()) {
      Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue());
    }
    Files.createDirectories(out);
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    List<String> args =
        new ArrayList<>(
            List.of(
                "-proc:none", "-d", out.toString(), "-cp", System.getProperty("java.class.path")));
    try (Stream<Path> files = Files.walk(src)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
    }
    if (compiler.run(null, null, null, args.toArray(String[]::new)) != 0) {
      throw new IllegalStateException("test plugin sources did not compile: " + sources.keySet());
    }
  }

  /** Packs the files under {@code classes} into the jar {@code jar}. */
  static Path jar(Path classes, Path jar) throws IOException {
    Files.createDirectories(jar.getParent());
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jarOut = new JarOutputStream(out)) {
      try (Stream<Path> files = Files.walk(classes)) {
        for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          jarOut.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
          jarOut.write(Files.readAllBytes(file));
          jarOut.closeEntry();
        }
      }
    }
    return jar;
  }

  /**
   * {@code <root>/<id>/}: the compiled {@code sources} in {@code classes/}, {@code extensions} in
   * PF4J's index, and each of {@code libs} copied into {@code lib/}.
   */
  static Path plugin(
      Path root, String id, Map<String, String> sources, List<String> extensions, List<Path> libs)
      throws IOException {
    Path dir = root.resolve(id);
    Path classes = dir.resolve("classes");
    compile(sources, classes);
    Path index = classes.resolve("META-INF/extensions.idx");
    Files.createDirectories(index.getParent());
    Files.writeString(index, String.join("\n", extensions) + "\n", StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("plugin.properties"),
        "plugin.id="
            + id
            + "\nplugin.version=1.0.0\nplugin.requires=>=1.0.0\nplugin.provider=tests\n");
    Path lib = Files.createDirectories(dir.resolve("lib"));
    for (Path jar : libs) {
      Files.copy(jar, lib.resolve(jar.getFileName()));
    }
    return dir;
  }
}

package io.sage.host.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles plugin sources at test time into PF4J plugin jars, well-formed or broken on purpose. */
public final class TestPluginJars {
  private TestPluginJars() {}

  /** {@code <dir>/<pluginId>.jar} from {@code sources} (class name → source). */
  public static Path jar(
      Path dir,
      String pluginId,
      String requires,
      Map<String, String> sources,
      List<String> extensions)
      throws IOException {
    Path src = Files.createTempDirectory("plugin-src");
    Path classes = Files.createTempDirectory("plugin-classes");
    for (Map.Entry<String, String> source : sources.entrySet()) {
      Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue());
    }
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    List<String> args =
        new ArrayList<>(
            List.of(
                "-proc:none",
                "-d",
                classes.toString(),
                "-cp",
                System.getProperty("java.class.path")));
    try (Stream<Path> files = Files.walk(src)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
    }
    if (compiler.run(null, null, null, args.toArray(String[]::new)) != 0) {
      throw new IllegalStateException("test plugin " + pluginId + " did not compile");
    }
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.putValue("Plugin-Id", pluginId);
    main.putValue("Plugin-Version", "1.0.0");
    main.putValue("Plugin-Requires", requires);
    main.putValue("Plugin-Provider", "tests");
    Files.createDirectories(dir);
    Path jar = dir.resolve(pluginId + ".jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
      try (Stream<Path> files = Files.walk(classes)) {
        for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          jarOut.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
          jarOut.write(Files.readAllBytes(file));
          jarOut.closeEntry();
        }
      }
      jarOut.putNextEntry(new JarEntry("META-INF/extensions.idx"));
      jarOut.write((String.join("\n", extensions) + "\n").getBytes(StandardCharsets.UTF_8));
      jarOut.closeEntry();
    }
    return jar;
  }

  /**
   * A runtime factory of {@code kind} whose engines run {@code fake-engine --port N}; {@code extra}
   * goes into the class body.
   */
  public static String runtime(String pkg, String className, String kind, String extra) {
    return "package "
        + pkg
        + ";\n"
        + "import io.sage.spi.engine.*;\n"
        + "import java.util.*;\n"
        + "@org.pf4j.Extension\n"
        + "public class "
        + className
        + " implements EngineRuntimeFactory {\n"
        + extra
        + "\n  public String kind() { return \""
        + kind
        + "\"; }\n"
        + "  public EngineRuntime create(EngineContext c) {\n"
        + "    return () -> new LaunchCommand(List.of(\"fake-engine\", \"--port\", \"\" + c.port()),"
        + " Map.of(), c.workDirectory());\n"
        + "  }\n"
        + "}\n";
  }
}

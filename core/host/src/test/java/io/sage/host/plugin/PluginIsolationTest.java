package io.sage.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.testkit.engine.TestEngineContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins load child-first and share only the SPI, PF4J and SLF4J with the gateway
 * (docs/spi-guide.md, "Class loading"). The plugins are compiled by the test; one bundles an older
 * Jackson than the gateway's, one a copy of an SPI class, one nothing at all.
 */
class PluginIsolationTest {
  /** An older jackson-core than the gateway's, copied by the build (core/host/pom.xml). */
  private static final Path OTHER_JACKSON = Path.of(System.getProperty("sage.test.otherJackson"));

  private static final String PKG = "test.isolation";
  private static final EngineSpec SPEC =
      new EngineSpec(
          "m", null, EngineKind.LLM, "x", null, 1, List.of(), false, null, List.of(), Map.of());

  @TempDir static Path ownJacksonRoot;
  @TempDir static Path spiCopyRoot;
  @TempDir static Path scratch;
  @TempDir Path work;
  private PluginHost host;

  /** Compiled once: the plugins are only read, every test starts its own host on them. */
  @BeforeAll
  static void buildPlugins() throws IOException {
    DirectoryPlugins.plugin(
        ownJacksonRoot,
        "own-jackson",
        Map.of(
            PKG + ".OwnJackson",
            factory(
                "OwnJackson",
                "\"jackson-\" + com.fasterxml.jackson.core.json.PackageVersion.VERSION"
                    + ".toString().replace('.', '-')")),
        List.of(PKG + ".OwnJackson"),
        List.of(OTHER_JACKSON));

    Path spiCopy = scratch.resolve("spi-copy-classes");
    DirectoryPlugins.compile(
        Map.of(
            "io.sage.spi.SpiVersion",
            "package io.sage.spi;\n"
                + "public final class SpiVersion { public static final String VERSION = \"0.0.1\"; }\n"),
        spiCopy);
    Path spiJar = DirectoryPlugins.jar(spiCopy, scratch.resolve("spi-copy.jar"));
    DirectoryPlugins.plugin(
        spiCopyRoot,
        "spi-copy",
        Map.of(
            PKG + ".SpiCopy",
            factory(
                "SpiCopy",
                "io.sage.spi.SpiVersion.class.getClassLoader() == getClass().getClassLoader()"
                    + " ? \"spi-from-plugin\" : \"spi-from-host\"")),
        List.of(PKG + ".SpiCopy"),
        List.of(spiJar));
  }

  @AfterEach
  void close() {
    if (host != null) {
      host.close();
    }
  }

  private PluginHost start() {
    host = new PluginHost(List.of(ownJacksonRoot, spiCopyRoot));
    host.start();
    assertThat(host.errors()).isEmpty();
    return host;
  }

  @Test
  void aPluginBundlingItsOwnJacksonSeesItsOwnVersion() {
    String hostVersion = com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString();
    assertThat(hostVersion).isNotEqualTo("2.17.2");

    assertThat(start().runtimeKinds()).contains("jackson-2-17-2");
  }

  @Test
  void aPluginBundlingACopyOfTheSpiGetsTheGatewaysSpi() {
    assertThat(start().runtimeKinds()).contains("spi-from-host").doesNotContain("spi-from-plugin");
  }

  @Test
  void aPluginSeesNoneOfTheGatewaysOtherLibraries() {
    EngineRuntimeFactory factory = start().runtime("spi-from-host");

    // validate() reports whether the gateway's Jackson (on this test's class path) is visible
    assertThat(factory.validate(SPEC)).contains("jackson-hidden");
  }

  @Test
  void pluginCodeRunsWithThePluginsClassLoaderAsContext() {
    EngineRuntimeFactory factory = start().runtime("jackson-2-17-2");
    ClassLoader before = Thread.currentThread().getContextClassLoader();

    assertThat(factory.validate(SPEC)).contains("context-is-plugin");
    EngineRuntime runtime = factory.create(TestEngineContext.of("e-1", SPEC, work));
    assertThat(runtime.launchCommand().argv()).containsExactly("context-is-plugin");
    assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
  }

  /** A runtime factory named by {@code kindExpression}, reporting what its class loader sees. */
  private static String factory(String className, String kindExpression) {
    String context =
        "(Thread.currentThread().getContextClassLoader() == "
            + className
            + ".class.getClassLoader() ? \"context-is-plugin\" : \"context-is-other\")";
    return "package "
        + PKG
        + ";\n"
        + "import io.sage.spi.engine.*;\n"
        + "import java.util.List;\n"
        + "@org.pf4j.Extension\n"
        + "public class "
        + className
        + " implements EngineRuntimeFactory {\n"
        + "  public String kind() { return "
        + kindExpression
        + "; }\n"
        + "  public List<String> validate(EngineSpec spec) {\n"
        + "    String jackson;\n"
        + "    try { Class.forName(\"com.fasterxml.jackson.databind.ObjectMapper\", false,"
        + " getClass().getClassLoader()); jackson = \"jackson-visible\"; }\n"
        + "    catch (ClassNotFoundException e) { jackson = \"jackson-hidden\"; }\n"
        + "    return List.of(jackson, "
        + context
        + ");\n"
        + "  }\n"
        + "  public EngineRuntime create(EngineContext context) {\n"
        + "    return () -> new LaunchCommand(List.of("
        + context
        + "), java.util.Map.of(), context.workDirectory());\n"
        + "  }\n"
        + "}\n";
  }
}

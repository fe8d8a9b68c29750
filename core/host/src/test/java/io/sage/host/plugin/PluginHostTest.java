package io.sage.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading runtime plugins compiled by the test, broken ones included. */
class PluginHostTest {
  @TempDir Path plugins;
  PluginHost host;

  @AfterEach
  void close() {
    if (host != null) {
      host.close();
    }
  }

  private PluginHost started() {
    host = new PluginHost(List.of(plugins));
    host.start();
    return host;
  }

  @Test
  void aGoodRuntimeIsFoundByItsKind() throws Exception {
    TestPluginJars.jar(
        plugins,
        "good",
        ">=1.0.0",
        Map.of("t.good.Good", TestPluginJars.runtime("t.good", "Good", "good", "")),
        List.of("t.good.Good"));

    PluginHost host = started();

    assertThat(host.findRuntime("good")).isPresent();
    assertThat(host.runtime("good").kind()).isEqualTo("good");
    assertThat(host.runtimeKinds()).containsExactly("good", "remote");
    assertThat(host.errors()).isEmpty();
    assertThat(host.plugins())
        .singleElement()
        .satisfies(
            info -> {
              assertThat(info.id()).isEqualTo("good");
              assertThat(info.state()).isEqualTo("STARTED");
              assertThat(info.extensions()).containsExactly("engine-runtime:good");
            });
  }

  @Test
  void anUnknownKindIsABadRequestNamingTheLoadedOnes() {
    PluginHost host = started();
    assertThatThrownBy(() -> host.runtime("nope"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
        .hasMessage("unknown runtime 'nope'; loaded runtimes: remote");
  }

  @Test
  void aSecondRuntimeOfTheSameKindIsReportedForItsPlugin() throws Exception {
    TestPluginJars.jar(
        plugins,
        "first",
        ">=1.0.0",
        Map.of("t.a.A", TestPluginJars.runtime("t.a", "A", "same", "")),
        List.of("t.a.A"));
    TestPluginJars.jar(
        plugins,
        "second",
        ">=1.0.0",
        Map.of("t.b.B", TestPluginJars.runtime("t.b", "B", "same", "")),
        List.of("t.b.B"));

    PluginHost host = started();

    assertThat(host.findRuntime("same")).isPresent();
    assertThat(host.errors()).hasSize(1);
    assertThat(host.errors().values().iterator().next())
        .startsWith("duplicate runtime kind 'same': already provided by plugin ");
  }

  @Test
  void aRuntimeWhoseConstructorThrowsIsReported() throws Exception {
    TestPluginJars.jar(
        plugins,
        "throwing",
        ">=1.0.0",
        Map.of(
            "t.c.C",
            TestPluginJars.runtime(
                "t.c",
                "C",
                "throwing",
                "  public C() { throw new IllegalStateException(\"boom\"); }")),
        List.of("t.c.C"));

    PluginHost host = started();

    assertThat(host.findRuntime("throwing")).isEmpty();
    assertThat(host.errors().get("throwing")).contains("could not be created").contains("boom");
    assertThat(host.plugins())
        .singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo("DEGRADED"));
  }

  @Test
  void theKindRemoteAndMalformedKindsAreRefused() throws Exception {
    TestPluginJars.jar(
        plugins,
        "bad-kinds",
        ">=1.0.0",
        Map.of(
            "t.d.Remote", TestPluginJars.runtime("t.d", "Remote", "remote", ""),
            "t.d.Upper", TestPluginJars.runtime("t.d", "Upper", "Upper Case", "")),
        List.of("t.d.Remote", "t.d.Upper"));

    PluginHost host = started();

    assertThat(host.runtimeKinds()).containsExactly("remote");
    assertThat(host.errors().get("bad-kinds")).contains("has an invalid kind");
  }

  @Test
  void aPluginForAnotherSpiIsRefusedWithBothVersions() throws Exception {
    TestPluginJars.jar(
        plugins,
        "future",
        ">=2.0.0",
        Map.of("t.e.E", TestPluginJars.runtime("t.e", "E", "future", "")),
        List.of("t.e.E"));

    PluginHost host = started();

    assertThat(host.findRuntime("future")).isEmpty();
    assertThat(host.errors().get("future"))
        .isEqualTo(
            "plugin requires SPI >=2.0.0 but this gateway provides SPI "
                + io.sage.spi.SpiVersion.VERSION);
  }

  @Test
  void aFileThatIsNoPluginIsReportedAndTheOthersStillLoad() throws Exception {
    Files.writeString(plugins.resolve("garbage.zip"), "not a zip");
    TestPluginJars.jar(
        plugins,
        "good",
        ">=1.0.0",
        Map.of("t.good.Good", TestPluginJars.runtime("t.good", "Good", "good", "")),
        List.of("t.good.Good"));

    PluginHost host = started();

    assertThat(host.findRuntime("good")).isPresent();
  }

  @Test
  void noPluginsAtAllIsFine() {
    PluginHost host = started();
    assertThat(host.plugins()).isEmpty();
    assertThat(host.gpuProviders()).isEmpty();
    assertThat(host.runtimeKinds()).containsExactly("remote");
  }
}

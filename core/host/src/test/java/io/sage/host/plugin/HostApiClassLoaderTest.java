package io.sage.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.SageException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostApiClassLoaderTest {
  private final ClassLoader gateway = HostApiClassLoaderTest.class.getClassLoader();
  private final HostApiClassLoader loader = new HostApiClassLoader(gateway);

  /** A gateway class loader that records what it was asked for. */
  static final class RecordingLoader extends ClassLoader {
    final List<String> asked = new ArrayList<>();

    RecordingLoader(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      asked.add(name);
      return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
      asked.add(name);
      return super.getResource(name);
    }
  }

  @Test
  void sharedPackagesAreTheSpiPf4jAndSlf4j() {
    assertThat(HostApiClassLoader.isShared("io.sage.spi.SageException")).isTrue();
    assertThat(HostApiClassLoader.isShared("io.sage.spi.engine.EngineSpec")).isTrue();
    assertThat(HostApiClassLoader.isShared("org.pf4j.Plugin")).isTrue();
    assertThat(HostApiClassLoader.isShared("org.slf4j.Logger")).isTrue();
  }

  @Test
  void lookAlikePackagesAreNotShared() {
    assertThat(HostApiClassLoader.isShared("io.sage.spiffy.Thing")).isFalse();
    assertThat(HostApiClassLoader.isShared("io.sage.host.ControlPlane")).isFalse();
    assertThat(HostApiClassLoader.isShared("org.slf4jx.Logger")).isFalse();
    assertThat(HostApiClassLoader.isShared("com.fasterxml.jackson.databind.ObjectMapper"))
        .isFalse();
    assertThat(HostApiClassLoader.isShared("io.sage.spi")).isFalse();
  }

  @Test
  void aSharedClassIsTheGatewaysOwnClass() throws Exception {
    assertThat(loader.loadClass("io.sage.spi.SageException")).isSameAs(SageException.class);
    assertThat(loader.loadClass("org.slf4j.Logger")).isSameAs(org.slf4j.Logger.class);
  }

  @Test
  void theGatewaysOtherLibrariesDoNotExistForAPlugin() {
    assertThatThrownBy(() -> loader.loadClass("com.fasterxml.jackson.databind.ObjectMapper"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> loader.loadClass("io.sage.host.GpuOverview"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> loader.loadClass("org.assertj.core.api.Assertions"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void theJdkIsThereIncludingPlatformModules() throws Exception {
    assertThat(loader.loadClass("java.lang.String")).isSameAs(String.class);
    assertThat(loader.loadClass("java.net.http.HttpClient"))
        .isSameAs(java.net.http.HttpClient.class);
    assertThat(loader.loadClass("java.sql.Connection")).isSameAs(java.sql.Connection.class);
  }

  @Test
  void onlySharedNamesReachTheGatewayLoader() throws Exception {
    RecordingLoader host = new RecordingLoader(gateway);
    HostApiClassLoader api = new HostApiClassLoader(host);
    api.loadClass("io.sage.spi.SageException");
    api.loadClass("java.lang.Integer");
    assertThatThrownBy(() -> api.loadClass("io.sage.host.GpuOverview"))
        .isInstanceOf(ClassNotFoundException.class);
    api.getResource("io/sage/host/GpuOverview.class");
    assertThat(host.asked).containsExactly("io.sage.spi.SageException");
  }

  @Test
  void sharedResourcesComeFromTheGatewayOthersDoNot() throws Exception {
    assertThat(loader.getResource("io/sage/spi/SageException.class")).isNotNull();
    assertThat(gateway.getResource("io/sage/host/GpuOverview.class")).isNotNull();
    assertThat(loader.getResource("io/sage/host/GpuOverview.class")).isNull();
    assertThat(loader.getResource("org/assertj/core/api/Assertions.class")).isNull();
    assertThat(Collections.list(loader.getResources("io/sage/spi/SageException.class")))
        .isNotEmpty();
    assertThat(Collections.list(loader.getResources("io/sage/host/GpuOverview.class"))).isEmpty();
  }

  @Test
  void itFindsNothingOfItsOwn() throws Exception {
    assertThat(loader.findResource("io/sage/spi/SageException.class")).isNull();
    assertThat(loader.findResources("anything").hasMoreElements()).isFalse();
    assertThat(loader.getName()).isEqualTo("sage-plugin-api");
    assertThat(loader.getParent()).isSameAs(ClassLoader.getPlatformClassLoader());
  }
}

package io.sage.gpu.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.gpu.GpuDevice;
import io.sage.spi.gpu.GpuProvider;
import io.sage.testkit.gpu.GpuProviderContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FakeGpuProviderTest {
  private static final String TWO_GPUS =
      """
      [
        {"index": 1, "name": "Fake H100", "uuid": "GPU-fake-1", "memory_total_mib": 81920,
         "memory_used_mib": 2048, "utilization_pct": 35, "temperature_c": 50, "power_w": 210.5},
        {"index": 0, "name": "Fake H100", "uuid": "GPU-fake-0", "memory_total_mib": 81920,
         "memory_used_mib": 1024, "utilization_pct": 0}
      ]
      """;

  @TempDir Path dir;

  private FakeGpuProvider providerFor(Path file) {
    return new FakeGpuProvider(() -> Optional.of(file.toString()));
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void nameAndPriority() {
    FakeGpuProvider provider = new FakeGpuProvider(Optional::empty);

    assertThat(provider.name()).isEqualTo("fake");
    assertThat(provider.priority()).isEqualTo(50);
  }

  @Test
  void readsTheFileInIndexOrder() throws IOException {
    FakeGpuProvider provider = providerFor(write("gpus.json", TWO_GPUS));

    assertThat(provider.status().available()).isTrue();
    assertThat(provider.status().message()).isEqualTo("fake GPU provider: 2 GPUs");
    assertThat(provider.devices())
        .extracting(GpuDevice::uuid)
        .containsExactly("GPU-fake-0", "GPU-fake-1");
    assertThat(provider.devices().get(1).powerWatts()).isEqualTo(210.5);
  }

  @Test
  void readsTheFileAgainWhenItChanges() throws IOException {
    Path file = write("gpus.json", TWO_GPUS);
    FakeGpuProvider provider = providerFor(file);
    assertThat(provider.devices()).hasSize(2);

    Files.writeString(
        file, TWO_GPUS.replace("\"memory_used_mib\": 1024", "\"memory_used_mib\": 4096"));
    assertThat(provider.devices().get(0).memoryUsedMib()).isEqualTo(4096);

    // Same size, so only the modification time tells the change apart.
    FileTime before = Files.getLastModifiedTime(file);
    Files.writeString(
        file, TWO_GPUS.replace("\"memory_used_mib\": 1024", "\"memory_used_mib\": 8192"));
    Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 5_000));
    assertThat(provider.devices().get(0).memoryUsedMib()).isEqualTo(8192);
  }

  @Test
  void becomesUnavailableWhenTheFileBreaksAndRecoversWhenFixed() throws IOException {
    Path file = write("gpus.json", TWO_GPUS);
    FakeGpuProvider provider = providerFor(file);
    assertThat(provider.status().available()).isTrue();

    Files.writeString(file, "[{\"index\": 0}]");
    assertThat(provider.status().available()).isFalse();
    assertThat(provider.status().message())
        .startsWith(
            "fake GPU provider unavailable: " + file + ": entry 0: field \"name\" is missing");

    Files.delete(file);
    assertThat(provider.status().message()).contains("file " + file + " does not exist");

    Files.writeString(file, TWO_GPUS);
    assertThat(provider.status().available()).isTrue();
  }

  @Test
  void unsetLocationNamesTheVariable() {
    FakeGpuProvider provider = new FakeGpuProvider(() -> Optional.of("  "));

    assertThat(provider.status().available()).isFalse();
    assertThat(provider.status().message())
        .startsWith("fake GPU provider unavailable: SAGE_GPU_FAKE is not set");
    assertThatThrownBy(provider::devices)
        .isInstanceOf(SageException.class)
        .hasMessageContaining("SAGE_GPU_FAKE is not set")
        .extracting(e -> ((SageException) e).code())
        .isEqualTo(ErrorCode.PLUGIN_FAILURE);
  }

  @Test
  void malformedJsonSaysWhere() throws IOException {
    FakeGpuProvider provider = providerFor(write("gpus.json", "[{\"index\": 0,,}]"));

    assertThat(provider.status().message()).contains("malformed JSON line 1, column");
  }

  @Test
  void aDirectoryIsNotAFile() {
    FakeGpuProvider provider = providerFor(dir);

    assertThat(provider.status().message()).contains(dir + " is not a regular file");
  }

  @Test
  void systemPropertyNamesTheFile() throws IOException {
    Path file = write("gpus.json", TWO_GPUS);
    String previous = System.getProperty(FakeGpuProvider.SYSTEM_PROPERTY);
    System.setProperty(FakeGpuProvider.SYSTEM_PROPERTY, file.toString());
    try {
      assertThat(new FakeGpuProvider().devices()).hasSize(2);
    } finally {
      if (previous == null) {
        System.clearProperty(FakeGpuProvider.SYSTEM_PROPERTY);
      } else {
        System.setProperty(FakeGpuProvider.SYSTEM_PROPERTY, previous);
      }
    }
  }

  @Nested
  class WithAValidFile extends GpuProviderContract {
    @Override
    protected GpuProvider provider() {
      try {
        return providerFor(write("contract.json", TWO_GPUS));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Nested
  class WithABrokenFile extends GpuProviderContract {
    @Override
    protected GpuProvider provider() {
      try {
        return providerFor(write("contract.json", "[{\"index\": \"zero\"}]"));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Nested
  class WithoutAFile extends GpuProviderContract {
    @Override
    protected GpuProvider provider() {
      return new FakeGpuProvider(Optional::empty);
    }
  }
}

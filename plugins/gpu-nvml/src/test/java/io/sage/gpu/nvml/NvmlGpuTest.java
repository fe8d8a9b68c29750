package io.sage.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import io.sage.spi.gpu.GpuDevice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Against a real NVIDIA GPU: the figures NVML gives through JNA must agree with nvidia-smi.
 * Excluded by default; run with {@code -Pgpu} (or {@code -Dsage.gpu.tests=true}).
 */
@Tag("gpu")
class NvmlGpuTest {
  /** Memory in use moves between two reads, and nvidia-smi leaves out driver-reserved memory. */
  private static final long USED_TOLERANCE_MIB = 1024;

  static boolean driverLoadable() {
    try {
      Native.load("libnvidia-ml.so.1", NvmlLibrary.class);
      return true;
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }

  @Test
  void agreesWithNvidiaSmi() throws Exception {
    assumeTrue(driverLoadable(), "libnvidia-ml.so.1 is not loadable here");
    NvmlGpuProvider provider = new NvmlGpuProvider();
    assertThat(provider.status().available()).as(provider.status().message()).isTrue();

    List<GpuDevice> devices = provider.devices();
    List<long[]> smi = nvidiaSmi();

    assertThat(devices).hasSizeGreaterThanOrEqualTo(1).hasSize(smi.size());
    for (int i = 0; i < devices.size(); i++) {
      GpuDevice device = devices.get(i);
      long[] row = smi.get(i);
      assertThat(device.index()).isEqualTo((int) row[0]);
      assertThat(device.memoryTotalMib())
          .as("GPU %d total MiB", i)
          .isCloseTo(row[1], org.assertj.core.data.Offset.offset(1L));
      assertThat(device.memoryUsedMib())
          .as("GPU %d used MiB", i)
          .isCloseTo(row[2], org.assertj.core.data.Offset.offset(USED_TOLERANCE_MIB));
      assertThat(device.uuid()).startsWith("GPU-");
      System.out.printf(
          "GPU %d %s %s: NVML total=%d used=%d util=%s temp=%s power=%s procs=%s;"
              + " nvidia-smi total=%d used=%d%n",
          device.index(),
          device.name(),
          device.uuid(),
          device.memoryTotalMib(),
          device.memoryUsedMib(),
          device.utilizationPct(),
          device.temperatureC(),
          device.powerWatts(),
          device.processes(),
          row[1],
          row[2]);
    }
    provider.close();
  }

  /** Rows of index, memory.total, memory.used in MiB. */
  private static List<long[]> nvidiaSmi() throws IOException, InterruptedException {
    Process smi =
        new ProcessBuilder(
                "nvidia-smi",
                "--query-gpu=index,memory.total,memory.used",
                "--format=csv,noheader,nounits")
            .redirectErrorStream(true)
            .start();
    String output = new String(smi.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(smi.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(smi.exitValue()).as(output).isZero();
    List<long[]> rows = new ArrayList<>();
    for (String line : output.strip().split("\n")) {
      String[] cells = line.split(",");
      rows.add(
          new long[] {
            Long.parseLong(cells[0].trim()),
            Long.parseLong(cells[1].trim()),
            Long.parseLong(cells[2].trim())
          });
    }
    return rows;
  }
}

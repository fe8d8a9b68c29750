package io.sage.gpu.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.gpu.GpuDevice;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FakeGpuEntriesTest {
  private static final String VALID =
      "\"index\": 0, \"name\": \"Fake H100\", \"uuid\": \"GPU-fake-0\","
          + " \"memory_total_mib\": 81920, \"memory_used_mib\": 1024, \"utilization_pct\": 0";

  private static List<GpuDevice> read(String json) {
    return FakeGpuEntries.toDevices(FakeGpuJson.parseArrayOfObjects(json));
  }

  @Test
  void readsTheExactSpecExample() {
    List<GpuDevice> devices =
        read(
            "[{\"index\": 0, \"name\": \"Fake H100\", \"uuid\":"
                + " \"GPU-fake-0\", \"memory_total_mib\": 81920, \"memory_used_mib\": 1024,"
                + " \"utilization_pct\": 0}]");

    assertThat(devices)
        .containsExactly(
            new GpuDevice(0, "GPU-fake-0", "Fake H100", 81920, 1024, 0, null, null, List.of()));
    assertThat(devices.get(0).memoryFreeMib()).isEqualTo(80896);
  }

  @Test
  void readsOptionalFiguresAndOrdersByIndex() {
    List<GpuDevice> devices =
        read(
            "[{"
                + VALID.replace("\"index\": 0", "\"index\": 3")
                + ", \"temperature_c\": 41, \"power_w\": 87.5}, {"
                + VALID
                + ", \"power_w\": null}]");

    assertThat(devices).extracting(GpuDevice::index).containsExactly(0, 3);
    assertThat(devices.get(1).temperatureC()).isEqualTo(41);
    assertThat(devices.get(1).powerWatts()).isEqualTo(87.5);
    assertThat(devices.get(0).powerWatts()).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"index\": 0            | \"index\": -1            | entry 0: field \"index\" must be a whole number from 0",
        "\"index\": 0            | \"index\": 1.5           | field \"index\" must be a whole number from 0 to 2147483647, got 1.5",
        "\"index\": 0            | \"index\": \"0\"         | field \"index\" must be a whole number from 0 to 2147483647, got \"0\"",
        "\"name\": \"Fake H100\" | \"name\": \"\"           | field \"name\" must be a non-empty string, got \"\"",
        "\"uuid\": \"GPU-fake-0\"| \"uuid\": 7              | field \"uuid\" must be a non-empty string, got 7",
        "\"memory_used_mib\": 1024 | \"memory_used_mib\": 90000 | memory_used_mib 90000 is more than memory_total_mib 81920",
        "\"memory_total_mib\": 81920 | \"memory_total_mib\": true | field \"memory_total_mib\" must be a whole number from 0 up, got true",
        "\"utilization_pct\": 0  | \"utilization_pct\": 101 | field \"utilization_pct\" must be a whole number from 0 to 100, got 101",
        "\"utilization_pct\": 0  | \"utilization_pct\": null | field \"utilization_pct\" is missing",
        "\"uuid\": \"GPU-fake-0\",| ''                      | field \"uuid\" is missing",
        "\"index\": 0            | \"index\": 0, \"memory_total_mb\": 1 | unknown field \"memory_total_mb\" (accepted: index, name",
        "\"utilization_pct\": 0  | \"utilization_pct\": 0, \"power_w\": -3 | field \"power_w\" must be a non-negative number, got -3",
      })
  void namesTheEntryAndFieldAtFault(String replaced, String replacement, String expected) {
    String broken = VALID.replace(replaced.trim(), replacement.trim());

    assertThatThrownBy(() -> read("[{" + broken + "}]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void reportsEveryProblemAtOnceIncludingDuplicateIndexes() {
    String second = VALID.replace("\"utilization_pct\": 0", "\"utilization_pct\": \"busy\"");

    assertThatThrownBy(() -> read("[{" + VALID + "}, {" + second + "}, {" + VALID + "}]"))
        .hasMessageContaining("entry 1: field \"utilization_pct\"")
        .hasMessageContaining("entry 2: index 0 appears twice");
  }
}

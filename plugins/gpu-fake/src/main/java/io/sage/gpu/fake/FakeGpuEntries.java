package io.sage.gpu.fake;

import io.sage.spi.gpu.GpuDevice;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the parsed entries of a fake GPU file (docs/spec.md §7) into devices, collecting every
 * problem so an operator fixes the file in one go. Unknown fields are problems too: a misspelt
 * {@code memory_total_mb} must not silently leave a GPU without memory.
 */
final class FakeGpuEntries {
  static final List<String> REQUIRED =
      List.of("index", "name", "uuid", "memory_total_mib", "memory_used_mib", "utilization_pct");
  static final List<String> OPTIONAL = List.of("temperature_c", "power_w");

  private final List<String> problems = new ArrayList<>();

  private FakeGpuEntries() {}

  /**
   * The devices ordered by index.
   *
   * @throws IllegalArgumentException listing every problem, each naming its entry and field
   */
  static List<GpuDevice> toDevices(List<Map<String, Object>> entries) {
    FakeGpuEntries reader = new FakeGpuEntries();
    List<GpuDevice> devices = new ArrayList<>();
    Set<Integer> indexes = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      Optional<GpuDevice> device = reader.device(i, entries.get(i));
      if (device.isPresent() && !indexes.add(device.get().index())) {
        reader.problems.add("entry " + i + ": index " + device.get().index() + " appears twice");
      }
      device.ifPresent(devices::add);
    }
    if (!reader.problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", reader.problems));
    }
    devices.sort(Comparator.comparingInt(GpuDevice::index));
    return List.copyOf(devices);
  }

  /** One entry's device, or empty when the entry has problems (they are recorded). */
  private Optional<GpuDevice> device(int entry, Map<String, Object> fields) {
    int before = problems.size();
    for (String field : fields.keySet()) {
      if (!REQUIRED.contains(field) && !OPTIONAL.contains(field)) {
        problems.add(
            "entry "
                + entry
                + ": unknown field \""
                + field
                + "\" (accepted: "
                + String.join(", ", REQUIRED)
                + ", "
                + String.join(", ", OPTIONAL)
                + ")");
      }
    }
    for (String field : REQUIRED) {
      if (!fields.containsKey(field) || fields.get(field) == FakeGpuJson.NULL) {
        problems.add("entry " + entry + ": field \"" + field + "\" is missing");
      }
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    Long index = whole(entry, fields, "index", 0, Integer.MAX_VALUE);
    String name = text(entry, fields, "name");
    String uuid = text(entry, fields, "uuid");
    Long total = whole(entry, fields, "memory_total_mib", 0, Long.MAX_VALUE);
    Long used = whole(entry, fields, "memory_used_mib", 0, Long.MAX_VALUE);
    Long utilization = whole(entry, fields, "utilization_pct", 0, 100);
    Long temperature = whole(entry, fields, "temperature_c", -273, 1000);
    BigDecimal power = decimal(entry, fields, "power_w");
    if (total != null && used != null && used > total) {
      problems.add(
          "entry "
              + entry
              + ": memory_used_mib "
              + used
              + " is more than memory_total_mib "
              + total);
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(
        new GpuDevice(
            index.intValue(),
            uuid,
            name,
            total,
            used,
            utilization.intValue(),
            temperature == null ? null : temperature.intValue(),
            power == null ? null : power.doubleValue(),
            List.of()));
  }

  private String text(int entry, Map<String, Object> fields, String field) {
    Object value = fields.get(field);
    if (value instanceof String s && !s.isBlank()) {
      return s;
    }
    problems.add(
        "entry "
            + entry
            + ": field \""
            + field
            + "\" must be a non-empty string, got "
            + shown(value));
    return null;
  }

  /** A whole number in range; absent optional fields give null without a problem. */
  private Long whole(int entry, Map<String, Object> fields, String field, long min, long max) {
    Object value = fields.get(field);
    if (value == null || value == FakeGpuJson.NULL) {
      return null;
    }
    if (value instanceof BigDecimal number) {
      try {
        long whole = number.longValueExact();
        if (whole >= min && whole <= max) {
          return whole;
        }
      } catch (ArithmeticException notWhole) {
        // reported below with the value the operator wrote
      }
    }
    problems.add(
        "entry "
            + entry
            + ": field \""
            + field
            + "\" must be a whole number from "
            + min
            + (max == Long.MAX_VALUE ? " up" : " to " + max)
            + ", got "
            + shown(value));
    return null;
  }

  private BigDecimal decimal(int entry, Map<String, Object> fields, String field) {
    Object value = fields.get(field);
    if (value == null || value == FakeGpuJson.NULL) {
      return null;
    }
    if (value instanceof BigDecimal number && number.signum() >= 0) {
      return number;
    }
    problems.add(
        "entry "
            + entry
            + ": field \""
            + field
            + "\" must be a non-negative number, got "
            + shown(value));
    return null;
  }

  private static String shown(Object value) {
    if (value instanceof String s) {
      return "\"" + s + "\"";
    }
    return value == FakeGpuJson.NULL ? "null" : String.valueOf(value);
  }
}

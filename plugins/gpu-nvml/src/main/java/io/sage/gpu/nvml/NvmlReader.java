package io.sage.gpu.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.gpu.GpuDevice;
import io.sage.spi.gpu.GpuDevice.GpuProcess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every GPU through an initialised NVML. Identity and memory are required (a GPU without them
 * cannot be placed on); utilisation, temperature, power and processes are figures some GPUs or MIG
 * modes do not report, so their failure leaves the figure out instead of failing the whole read.
 */
final class NvmlReader {
  private static final long MIB = 1024L * 1024L;
  private static final int PROCESS_V2_SIZE = 24;
  private static final int PROCESS_V1_SIZE = 16;

  /** Room for processes that start between asking for the count and reading the list. */
  private static final int PROCESS_HEADROOM = 8;

  /** NVML_VALUE_NOT_AVAILABLE: usedGpuMemory when the driver cannot attribute memory. */
  private static final long NOT_AVAILABLE = -1L;

  private final NvmlLibrary nvml;

  NvmlReader(NvmlLibrary nvml) {
    this.nvml = nvml;
  }

  int deviceCount() {
    IntByReference count = new IntByReference();
    require(nvml.nvmlDeviceGetCount_v2(count), "nvmlDeviceGetCount_v2", -1);
    return count.getValue();
  }

  List<GpuDevice> devices() {
    int count = deviceCount();
    List<GpuDevice> devices = new ArrayList<>(count);
    for (int index = 0; index < count; index++) {
      devices.add(device(index));
    }
    return List.copyOf(devices);
  }

  private GpuDevice device(int index) {
    PointerByReference handleRef = new PointerByReference();
    require(
        nvml.nvmlDeviceGetHandleByIndex_v2(index, handleRef),
        "nvmlDeviceGetHandleByIndex_v2",
        index);
    Pointer handle = handleRef.getValue();

    byte[] name = new byte[NvmlLibrary.NAME_BUFFER_SIZE];
    require(nvml.nvmlDeviceGetName(handle, name, name.length), "nvmlDeviceGetName", index);
    byte[] uuid = new byte[NvmlLibrary.UUID_BUFFER_SIZE];
    require(nvml.nvmlDeviceGetUUID(handle, uuid, uuid.length), "nvmlDeviceGetUUID", index);
    Memory memory = new Memory(24);
    memory.clear();
    require(nvml.nvmlDeviceGetMemoryInfo(handle, memory), "nvmlDeviceGetMemoryInfo", index);
    long total = memory.getLong(0);
    long used = memory.getLong(16);

    return new GpuDevice(
        index,
        text(uuid),
        text(name),
        total / MIB,
        used / MIB,
        utilization(handle),
        temperature(handle),
        power(handle),
        processes(handle));
  }

  private Integer utilization(Pointer handle) {
    Memory rates = new Memory(8);
    rates.clear();
    if (nvml.nvmlDeviceGetUtilizationRates(handle, rates) != NvmlLibrary.SUCCESS) {
      return null;
    }
    return rates.getInt(0);
  }

  private Integer temperature(Pointer handle) {
    IntByReference celsius = new IntByReference();
    int result = nvml.nvmlDeviceGetTemperature(handle, NvmlLibrary.TEMPERATURE_GPU, celsius);
    return result == NvmlLibrary.SUCCESS ? celsius.getValue() : null;
  }

  private Double power(Pointer handle) {
    IntByReference milliwatts = new IntByReference();
    if (nvml.nvmlDeviceGetPowerUsage(handle, milliwatts) != NvmlLibrary.SUCCESS) {
      return null;
    }
    return Integer.toUnsignedLong(milliwatts.getValue()) / 1000.0;
  }

  /** The compute processes, through the newest function the driver has. */
  private List<GpuProcess> processes(Pointer handle) {
    try {
      return processes(handle, 3, PROCESS_V2_SIZE);
    } catch (UnsatisfiedLinkError noV3) {
      try {
        return processes(handle, 2, PROCESS_V2_SIZE);
      } catch (UnsatisfiedLinkError noV2) {
        return processes(handle, 1, PROCESS_V1_SIZE);
      }
    }
  }

  private List<GpuProcess> processes(Pointer handle, int version, int entrySize) {
    IntByReference count = new IntByReference(0);
    int result = call(version, handle, count, null);
    if (result == NvmlLibrary.SUCCESS) {
      return List.of();
    }
    if (result != NvmlLibrary.ERROR_INSUFFICIENT_SIZE) {
      return List.of(); // not supported or not permitted here: leave the list empty
    }
    int capacity = count.getValue() + PROCESS_HEADROOM;
    // Twice the documented entry size, in case a driver's struct grew: NVML must never write
    // past the buffer, and the stride read below stays the documented one.
    Memory infos = new Memory((long) capacity * entrySize * 2);
    infos.clear();
    count.setValue(capacity);
    if (call(version, handle, count, infos) != NvmlLibrary.SUCCESS) {
      return List.of();
    }
    List<GpuProcess> processes = new ArrayList<>();
    for (int i = 0; i < Math.min(count.getValue(), capacity); i++) {
      long offset = (long) i * entrySize;
      long pid = Integer.toUnsignedLong(infos.getInt(offset));
      long usedBytes = infos.getLong(offset + 8);
      processes.add(new GpuProcess(pid, usedBytes == NOT_AVAILABLE ? 0 : usedBytes / MIB));
    }
    return List.copyOf(processes);
  }

  private int call(int version, Pointer handle, IntByReference count, Pointer infos) {
    return switch (version) {
      case 3 -> nvml.nvmlDeviceGetComputeRunningProcesses_v3(handle, count, infos);
      case 2 -> nvml.nvmlDeviceGetComputeRunningProcesses_v2(handle, count, infos);
      default -> nvml.nvmlDeviceGetComputeRunningProcesses(handle, count, infos);
    };
  }

  private void require(int result, String function, int index) {
    if (result != NvmlLibrary.SUCCESS) {
      String where = index < 0 ? "" : "GPU " + index + ": ";
      throw new SageException(
          ErrorCode.PLUGIN_FAILURE,
          "GPU provider nvml: " + where + function + " failed: " + describe(nvml, result));
    }
  }

  /** NVML's own words for a return code, with the code. */
  static String describe(NvmlLibrary nvml, int result) {
    String words;
    try {
      words = nvml.nvmlErrorString(result);
    } catch (LinkageError | RuntimeException e) {
      words = null;
    }
    return (words == null || words.isBlank() ? "NVML error" : words) + " (code " + result + ")";
  }

  /** A NUL-terminated C string from a buffer. */
  static String text(byte[] buffer) {
    int end = 0;
    while (end < buffer.length && buffer[end] != 0) {
      end++;
    }
    return new String(buffer, 0, end, StandardCharsets.UTF_8).trim();
  }
}

package io.sage.gpu.nvml;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * NVML as a test wants it: devices with chosen figures, chosen failures, and a driver that may lack
 * the newer process functions. Writes raw structs the way libnvidia-ml does.
 */
final class FakeNvml implements NvmlLibrary {
  record Device(
      String name,
      String uuid,
      long totalBytes,
      long usedBytes,
      int utilization,
      int temperature,
      int milliwatts,
      List<long[]> processes) {}

  final List<Device> devices = new ArrayList<>();
  int initResult = SUCCESS;
  int utilizationResult = SUCCESS;
  int temperatureResult = SUCCESS;
  int powerResult = SUCCESS;
  int memoryResult = SUCCESS;
  int newestProcessFunction = 3;
  int processCalls;
  boolean shutDown;

  @Override
  public int nvmlInit_v2() {
    return initResult;
  }

  @Override
  public int nvmlShutdown() {
    shutDown = true;
    return SUCCESS;
  }

  @Override
  public String nvmlErrorString(int result) {
    return switch (result) {
      case ERROR_DRIVER_NOT_LOADED -> "Driver Not Loaded";
      case ERROR_NOT_SUPPORTED -> "Not Supported";
      default -> "Unknown Error";
    };
  }

  @Override
  public int nvmlSystemGetDriverVersion(byte[] version, int length) {
    return copy("550.54.15", version);
  }

  @Override
  public int nvmlDeviceGetCount_v2(IntByReference deviceCount) {
    deviceCount.setValue(devices.size());
    return SUCCESS;
  }

  @Override
  public int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device) {
    device.setValue(new Pointer(index + 1));
    return SUCCESS;
  }

  private Device of(Pointer handle) {
    return devices.get((int) Pointer.nativeValue(handle) - 1);
  }

  @Override
  public int nvmlDeviceGetName(Pointer device, byte[] name, int length) {
    return copy(of(device).name(), name);
  }

  @Override
  public int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length) {
    return copy(of(device).uuid(), uuid);
  }

  @Override
  public int nvmlDeviceGetMemoryInfo(Pointer device, Pointer memory) {
    Device d = of(device);
    memory.setLong(0, d.totalBytes());
    memory.setLong(8, d.totalBytes() - d.usedBytes());
    memory.setLong(16, d.usedBytes());
    return memoryResult;
  }

  @Override
  public int nvmlDeviceGetUtilizationRates(Pointer device, Pointer utilization) {
    utilization.setInt(0, of(device).utilization());
    utilization.setInt(4, 7);
    return utilizationResult;
  }

  @Override
  public int nvmlDeviceGetTemperature(Pointer device, int sensorType, IntByReference celsius) {
    celsius.setValue(of(device).temperature());
    return sensorType == TEMPERATURE_GPU ? temperatureResult : ERROR_NOT_SUPPORTED;
  }

  @Override
  public int nvmlDeviceGetPowerUsage(Pointer device, IntByReference milliwatts) {
    milliwatts.setValue(of(device).milliwatts());
    return powerResult;
  }

  @Override
  public int nvmlDeviceGetComputeRunningProcesses_v3(
      Pointer device, IntByReference count, Pointer infos) {
    return processes(3, 24, device, count, infos);
  }

  @Override
  public int nvmlDeviceGetComputeRunningProcesses_v2(
      Pointer device, IntByReference count, Pointer infos) {
    return processes(2, 24, device, count, infos);
  }

  @Override
  public int nvmlDeviceGetComputeRunningProcesses(
      Pointer device, IntByReference count, Pointer infos) {
    return processes(1, 16, device, count, infos);
  }

  private int processes(
      int version, int size, Pointer device, IntByReference count, Pointer infos) {
    if (version > newestProcessFunction) {
      throw new UnsatisfiedLinkError(
          "Error looking up function " + "'nvmlDeviceGetComputeRunningProcesses_v" + version + "'");
    }
    processCalls++;
    List<long[]> processes = of(device).processes();
    if (count.getValue() < processes.size()) {
      count.setValue(processes.size());
      return ERROR_INSUFFICIENT_SIZE;
    }
    for (int i = 0; i < processes.size(); i++) {
      infos.setInt((long) i * size, (int) processes.get(i)[0]);
      infos.setLong((long) i * size + 8, processes.get(i)[1]);
      if (size == 24) {
        infos.setInt((long) i * size + 16, -1);
        infos.setInt((long) i * size + 20, -1);
      }
    }
    count.setValue(processes.size());
    return SUCCESS;
  }

  private static int copy(String value, byte[] buffer) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, buffer, 0, bytes.length);
    buffer[bytes.length] = 0;
    return SUCCESS;
  }
}

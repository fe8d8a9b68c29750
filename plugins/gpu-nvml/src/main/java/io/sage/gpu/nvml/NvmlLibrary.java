package io.sage.gpu.nvml;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The NVML functions this provider calls, bound by JNA to {@code libnvidia-ml.so.1}. Every function
 * returns an {@code nvmlReturn_t} ({@link #SUCCESS} or an error code). Structures are passed as raw
 * memory read by offset ({@link NvmlReader}), which keeps the binding small and lets a test
 * implement this interface by hand. A function missing from an older driver fails with {@link
 * UnsatisfiedLinkError} when called.
 */
public interface NvmlLibrary extends Library {
  int SUCCESS = 0;
  int ERROR_NOT_SUPPORTED = 3;
  int ERROR_NO_PERMISSION = 4;
  int ERROR_INSUFFICIENT_SIZE = 7;
  int ERROR_DRIVER_NOT_LOADED = 9;
  int TEMPERATURE_GPU = 0;

  /** Buffer sizes NVML documents as large enough for names, UUIDs and driver versions. */
  int NAME_BUFFER_SIZE = 96;

  int UUID_BUFFER_SIZE = 96;
  int DRIVER_VERSION_BUFFER_SIZE = 80;

  int nvmlInit_v2();

  int nvmlShutdown();

  /** A static description of a return code; safe to call before init. */
  String nvmlErrorString(int result);

  int nvmlSystemGetDriverVersion(byte[] version, int length);

  int nvmlDeviceGetCount_v2(IntByReference deviceCount);

  int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

  int nvmlDeviceGetName(Pointer device, byte[] name, int length);

  int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

  /** Fills {@code nvmlMemory_t}: unsigned long long total, free, used (bytes). */
  int nvmlDeviceGetMemoryInfo(Pointer device, Pointer memory);

  /** Fills {@code nvmlUtilization_t}: unsigned int gpu, memory (percent). */
  int nvmlDeviceGetUtilizationRates(Pointer device, Pointer utilization);

  int nvmlDeviceGetTemperature(Pointer device, int sensorType, IntByReference celsius);

  int nvmlDeviceGetPowerUsage(Pointer device, IntByReference milliwatts);

  /**
   * Fills an array of {@code nvmlProcessInfo_v2_t} (24 bytes: unsigned int pid, unsigned long long
   * usedGpuMemory, unsigned int gpuInstanceId, unsigned int computeInstanceId); the count is
   * in/out.
   */
  int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, IntByReference count, Pointer infos);

  /** As {@code _v3}, for drivers before 510. */
  int nvmlDeviceGetComputeRunningProcesses_v2(Pointer device, IntByReference count, Pointer infos);

  /** Fills an array of {@code nvmlProcessInfo_v1_t} (16 bytes: pid, usedGpuMemory). */
  int nvmlDeviceGetComputeRunningProcesses(Pointer device, IntByReference count, Pointer infos);
}

package io.sage.host.gpu;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.gpu.GpuDevice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Chooses GPUs for an engine; pure logic over a snapshot. A GPU's free memory here is its total,
 * minus what processes other than our engines use, minus what is reserved for our engines (an
 * engine's own use is covered by its reservation, so it must not count twice once it has loaded).
 * Best fit: among the GPUs with enough free memory, the {@code count} with the least, so large GPUs
 * stay whole for large engines.
 */
public final class GpuPlacement {
  private GpuPlacement() {}

  /**
   * The GPU indexes for the engine, ascending (the order of {@code CUDA_VISIBLE_DEVICES}).
   *
   * @param subject who asks, for messages ("engine eng-1f2e", "engine for Qwen/Qwen2.5-7B")
   * @param devices the GPUs now
   * @param reservedMib MiB reserved for engines, by GPU index
   * @param enginePids processes of our own engines, whose use the reservations already cover
   * @throws SageException GPU_UNAVAILABLE saying what was needed and what each GPU has free
   */
  public static List<Integer> place(
      String subject,
      List<GpuDevice> devices,
      Map<Integer, Long> reservedMib,
      Set<Long> enginePids,
      GpuRequest request) {
    long need = request.need().perGpuMib();
    if (request.isExplicit()) {
      List<Integer> known = devices.stream().map(GpuDevice::index).toList();
      List<Integer> missing =
          request.explicitIds().stream().filter(id -> !known.contains(id)).toList();
      if (!missing.isEmpty()) {
        throw unavailable(
            subject
                + ": gpu_ids names GPU(s) "
                + join(missing)
                + " that do not exist; GPUs here: "
                + (known.isEmpty() ? "none" : join(known)),
            "gpu_ids");
      }
      List<GpuDevice> chosen =
          devices.stream().filter(d -> request.explicitIds().contains(d.index())).toList();
      if (chosen.stream().allMatch(d -> freeMib(d, reservedMib, enginePids) >= need)) {
        return sorted(chosen);
      }
      throw unavailable(
          subject
              + " needs GPU(s) "
              + join(request.explicitIds())
              + " with "
              + need
              + " MiB free each ("
              + request.need().source()
              + "); free now: "
              + freeList(devices, reservedMib, enginePids),
          "gpu_ids");
    }
    List<GpuDevice> fitting = new ArrayList<>();
    for (GpuDevice device : devices) {
      if (freeMib(device, reservedMib, enginePids) >= need) {
        fitting.add(device);
      }
    }
    if (fitting.size() < request.count()) {
      throw unavailable(
          subject
              + " needs "
              + request.count()
              + " GPU(s) with "
              + need
              + " MiB free each ("
              + request.need().source()
              + "); free now: "
              + freeList(devices, reservedMib, enginePids),
          "tensor_parallel_size");
    }
    fitting.sort(
        Comparator.comparingLong((GpuDevice d) -> freeMib(d, reservedMib, enginePids))
            .thenComparingInt(GpuDevice::index));
    return sorted(fitting.subList(0, request.count()));
  }

  /** Memory free for placement on one GPU, in MiB, never negative. */
  public static long freeMib(
      GpuDevice device, Map<Integer, Long> reservedMib, Set<Long> enginePids) {
    long ownUse =
        device.processes().stream()
            .filter(p -> enginePids.contains(p.pid()))
            .mapToLong(GpuDevice.GpuProcess::usedMemoryMib)
            .sum();
    long usedByOthers = Math.max(0, device.memoryUsedMib() - ownUse);
    long free =
        device.memoryTotalMib() - usedByOthers - reservedMib.getOrDefault(device.index(), 0L);
    return Math.max(0, free);
  }

  /** "GPU0 19456 MiB, GPU1 80896 MiB", or "no GPUs". */
  static String freeList(
      List<GpuDevice> devices, Map<Integer, Long> reservedMib, Set<Long> enginePids) {
    if (devices.isEmpty()) {
      return "no GPUs";
    }
    return devices.stream()
        .map(d -> "GPU" + d.index() + " " + freeMib(d, reservedMib, enginePids) + " MiB")
        .collect(Collectors.joining(", "));
  }

  private static List<Integer> sorted(List<GpuDevice> devices) {
    return devices.stream().map(GpuDevice::index).sorted().toList();
  }

  private static String join(List<Integer> ids) {
    return ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }

  private static SageException unavailable(String message, String param) {
    return new SageException(ErrorCode.GPU_UNAVAILABLE, message, param);
  }
}

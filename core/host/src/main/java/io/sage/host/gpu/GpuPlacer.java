package io.sage.host.gpu;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.process.ProcessTable;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.gpu.GpuDevice;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Places engines on GPUs: the memory each needs ({@link GpuMemoryNeed}, the runtime asked first),
 * best fit on free memory minus reservations, reserved in one step ({@link GpuReservations}), so
 * concurrent starts never share memory. The reservations follow the registry: released at STOPPED,
 * rebuilt from it at gateway start.
 */
public final class GpuPlacer {
  /** GPUs placed for one engine and the memory reserved on each. */
  public record Placed(List<Integer> gpuIds, long perGpuMib) {
    public static final Placed NONE = new Placed(List.of(), 0);

    public Placed {
      gpuIds = List.copyOf(gpuIds);
    }
  }

  private final EngineRegistry registry;
  private final GpuSource gpus;
  private final GpuReservations reservations;
  private final ProcessTable processes;

  public GpuPlacer(
      EngineRegistry registry,
      GpuSource gpus,
      GpuReservations reservations,
      ProcessTable processes) {
    this.registry = registry;
    this.gpus = gpus;
    this.reservations = reservations;
    this.processes = processes;
    registry.addListener(reservations);
  }

  /** Whether an engine of {@code runtime} gets GPUs placed (unless {@code use_gpu: false}). */
  public boolean placesGpus(EngineSpec spec, EngineRuntimeFactory runtime) {
    // a job runtime's engines get their GPUs from the scheduler on the node where they land
    return runtime != null
        && runtime.usesGpus()
        && runtime.remoteJobs().isEmpty()
        && spec.useGpu()
        && gpus.placesGpus();
  }

  /**
   * Places and reserves GPUs for engine {@code id}: its gpu_ids, else tensor_parallel_size GPUs by
   * best fit. Reading the devices happens outside the reservation lock: NVML may take a moment.
   *
   * @throws SageException GPU_UNAVAILABLE when the GPUs cannot be read or there are none; the
   *     reservation's own errors when nothing fits
   */
  public Placed place(String id, String subject, EngineSpec spec, EngineRuntimeFactory runtime) {
    List<Integer> explicit = spec.requestedGpuIds();
    int count = explicit.isEmpty() ? spec.tensorParallelSize() : explicit.size();
    GpuRequest request = new GpuRequest(explicit, count, GpuMemoryNeed.of(spec, count, runtime));
    List<GpuDevice> devices = devices(subject, request);
    List<Integer> placed = reservations.reserve(id, subject, devices, enginePids(), request);
    return new Placed(placed, request.need().perGpuMib());
  }

  public void release(String engineId) {
    reservations.release(engineId);
  }

  /** Rebuilds the reservations from the registry; call after loading it, before reconciling. */
  public void restore() {
    List<EngineRecord> records = new ArrayList<>();
    for (EngineEntry entry : registry.all()) {
      records.add(entry.record());
    }
    reservations.restore(records);
  }

  public GpuReservations reservations() {
    return reservations;
  }

  private List<GpuDevice> devices(String subject, GpuRequest request) {
    String wanted =
        request.isExplicit() ? "GPU(s) " + request.explicitIds() : request.count() + " GPU(s)";
    List<GpuDevice> devices;
    try {
      devices = gpus.devices();
    } catch (SageException e) {
      throw new SageException(
          ErrorCode.GPU_UNAVAILABLE,
          subject
              + " needs "
              + wanted
              + " but the GPUs cannot be read: "
              + e.getMessage()
              + "; start it with use_gpu: false to run without GPUs",
          "use_gpu");
    }
    if (devices.isEmpty()) {
      String why =
          gpus.providerName()
              .map(name -> "GPU provider " + name + " reports no GPUs")
              .orElse(gpus.unavailableReason());
      throw new SageException(
          ErrorCode.GPU_UNAVAILABLE,
          subject
              + " needs "
              + wanted
              + " but "
              + why
              + "; start it with use_gpu: false to run without GPUs",
          "use_gpu");
    }
    return devices;
  }

  /** Processes of engines holding GPUs: their memory use is already counted as reserved. */
  private Set<Long> enginePids() {
    Set<Long> pids = new LinkedHashSet<>();
    for (GpuReservations.Reservation reservation : reservations.all()) {
      registry
          .find(reservation.engineId())
          .map(e -> e.record().process().pid())
          .filter(pid -> pid > 1)
          .ifPresent(
              pid -> {
                pids.add(pid);
                pids.addAll(processes.groupMembers(pid));
              });
    }
    return pids;
  }
}

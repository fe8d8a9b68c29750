package io.sage.host.gpu;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineListener;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.spi.gpu.GpuDevice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * GPU memory promised to engines, so two engines never get the same memory even before either has
 * loaded a byte. Placement and reservation happen under one lock, so concurrent starts see each
 * other. An engine holds its reservation while it may run or should run (ERROR with desired state
 * RUNNING keeps it, for the restart); reaching STOPPED or being purged releases it. The registry is
 * the durable copy ({@link EngineRecord#gpuIds()}, {@link EngineRecord#gpuMemoryMib()}), from which
 * {@link #restore} rebuilds this at gateway start.
 */
public final class GpuReservations implements EngineListener {

  /** Memory held for one engine: {@code perGpuMib} on each of {@code gpuIds}. */
  public record Reservation(String engineId, List<Integer> gpuIds, long perGpuMib) {
    public Reservation {
      gpuIds = List.copyOf(gpuIds);
    }
  }

  private final Map<String, Reservation> byEngine = new LinkedHashMap<>();

  /**
   * Places the engine and reserves the memory in one step. An engine placed again (a restart from
   * STOPPED) does not compete with its own earlier reservation, which this replaces.
   *
   * @param subject who asks, for messages
   * @return the GPU indexes, ascending
   * @throws io.sage.spi.SageException GPU_UNAVAILABLE when nothing fits (nothing is reserved)
   */
  public synchronized List<Integer> reserve(
      String engineId,
      String subject,
      List<GpuDevice> devices,
      Set<Long> enginePids,
      GpuRequest request) {
    Map<Integer, Long> reserved = reservedMib(engineId);
    List<Integer> gpus = GpuPlacement.place(subject, devices, reserved, enginePids, request);
    byEngine.put(engineId, new Reservation(engineId, gpus, request.need().perGpuMib()));
    return gpus;
  }

  /** Frees what the engine holds; nothing happens when it holds nothing. */
  public synchronized void release(String engineId) {
    byEngine.remove(engineId);
  }

  /**
   * Rebuilds the reservations from the registry's records (gateway start, before reconciliation).
   */
  public synchronized void restore(Iterable<EngineRecord> records) {
    byEngine.clear();
    for (EngineRecord record : records) {
      if (holdsGpus(record)) {
        byEngine.put(
            record.id(),
            new Reservation(record.id(), record.gpuIds(), record.placement().gpuMemoryMib()));
      }
    }
  }

  /** Whether a stored engine still holds its GPUs: it may run, or it should run. */
  static boolean holdsGpus(EngineRecord record) {
    return !record.gpuIds().isEmpty()
        && record.placement().gpuMemoryMib() > 0
        && (record.state().isActive() || record.desiredState() == DesiredState.RUNNING);
  }

  public synchronized Optional<Reservation> of(String engineId) {
    return Optional.ofNullable(byEngine.get(engineId));
  }

  public synchronized List<Reservation> all() {
    return new ArrayList<>(byEngine.values());
  }

  /** MiB reserved on each GPU index. */
  public synchronized Map<Integer, Long> reservedMib() {
    return reservedMib(null);
  }

  /** The engines holding memory on each GPU index, in reservation order. */
  public synchronized Map<Integer, List<String>> engineIds() {
    Map<Integer, List<String>> engines = new TreeMap<>();
    for (Reservation r : byEngine.values()) {
      for (int gpu : r.gpuIds()) {
        engines.computeIfAbsent(gpu, g -> new ArrayList<>()).add(r.engineId());
      }
    }
    return engines;
  }

  private Map<Integer, Long> reservedMib(String except) {
    Map<Integer, Long> reserved = new TreeMap<>();
    for (Reservation r : byEngine.values()) {
      if (!r.engineId().equals(except)) {
        for (int gpu : r.gpuIds()) {
          reserved.merge(gpu, r.perGpuMib(), Long::sum);
        }
      }
    }
    return reserved;
  }

  /** A stopped engine's GPUs are free again (its record keeps them, for a later restart). */
  @Override
  public void onTransition(EngineRecord record, EngineEvent event) {
    if (event.to() == EngineState.STOPPED) {
      release(record.id());
    }
  }
}

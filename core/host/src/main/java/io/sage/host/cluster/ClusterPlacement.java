package io.sage.host.cluster;

import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.gpu.GpuRequest;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the leader places a new engine among the nodes that are up (docs/cluster.md): for an engine
 * that needs GPUs, best fit over every node's GPUs (the GPUs its row lists, minus the memory its
 * engines hold), the node whose chosen GPUs keep the least memory unused; for one that needs none,
 * the node running the fewest engines. Ties go to the node with the smallest id. The chosen node's
 * own GPU placement has the last word (it also sees memory that other processes use).
 */
public final class ClusterPlacement {
  private ClusterPlacement() {}

  /**
   * The node for an engine asking {@code demand} (empty: no GPUs).
   *
   * @param up the nodes that are up
   * @param engines every engine of the cluster
   * @throws SageException NODE_UNAVAILABLE when no node is up, GPU_UNAVAILABLE when none has room
   */
  public static String choose(
      List<Node> up, List<ClusterEngine> engines, Optional<GpuRequest> demand, String subject) {
    if (up.isEmpty()) {
      throw new SageException(
          ErrorCode.NODE_UNAVAILABLE, "no node is up to run " + subject, "node");
    }
    List<Node> nodes = new ArrayList<>(up);
    nodes.sort(Comparator.comparing(Node::id));
    if (demand.isEmpty()) {
      Map<String, Integer> running = new HashMap<>();
      for (ClusterEngine engine : engines) {
        if (holds(engine.record())) {
          running.merge(engine.nodeId(), 1, Integer::sum);
        }
      }
      return nodes.stream()
          .min(Comparator.comparingInt((Node n) -> running.getOrDefault(n.id(), 0)))
          .orElseThrow()
          .id();
    }
    GpuRequest request = demand.get();
    String best = null;
    long bestLeftover = Long.MAX_VALUE;
    List<String> why = new ArrayList<>();
    for (Node node : nodes) {
      Map<Integer, Long> free = freeMib(node, engines);
      long leftover = leftover(free, request);
      if (leftover < 0) {
        why.add(node.id() + ": " + describe(free));
      } else if (leftover < bestLeftover) {
        best = node.id();
        bestLeftover = leftover;
      }
    }
    if (best == null) {
      throw new SageException(
          ErrorCode.GPU_UNAVAILABLE,
          "no node has room for "
              + subject
              + " ("
              + (request.isExplicit()
                  ? "GPU(s) " + request.explicitIds()
                  : request.count() + " GPU(s)")
              + " with "
              + request.need().perGpuMib()
              + " MiB each, "
              + request.need().source()
              + "): "
              + String.join("; ", why),
          "use_gpu");
    }
    return best;
  }

  /** Each GPU of the node with the memory its engines do not hold. */
  static Map<Integer, Long> freeMib(Node node, List<ClusterEngine> engines) {
    Map<Integer, Long> free = new java.util.TreeMap<>();
    for (NodeGpu gpu : node.gpus()) {
      free.put(gpu.index(), gpu.memoryTotalMib());
    }
    for (ClusterEngine engine : engines) {
      EngineRecord r = engine.record();
      if (engine.nodeId().equals(node.id()) && holds(r)) {
        for (Integer gpu : r.gpuIds()) {
          free.computeIfPresent(gpu, (k, v) -> v - r.placement().gpuMemoryMib());
        }
      }
    }
    return free;
  }

  /**
   * The memory the request would leave unused on the GPUs best fit picks (the tightest ones that
   * fit), or -1 when it does not fit.
   */
  static long leftover(Map<Integer, Long> free, GpuRequest request) {
    long need = request.need().perGpuMib();
    if (request.isExplicit()) {
      long sum = 0;
      for (Integer id : request.explicitIds()) {
        Long left = free.get(id);
        if (left == null || left < need) {
          return -1;
        }
        sum += left - need;
      }
      return sum;
    }
    List<Long> fitting = free.values().stream().filter(left -> left >= need).sorted().toList();
    if (fitting.size() < request.count()) {
      return -1;
    }
    long sum = 0;
    for (int i = 0; i < request.count(); i++) {
      sum += fitting.get(i) - need;
    }
    return sum;
  }

  /** Whether the engine holds its GPUs (and counts as running): anything but STOPPED. */
  private static boolean holds(EngineRecord record) {
    return record.state() != EngineState.STOPPED;
  }

  private static String describe(Map<Integer, Long> free) {
    if (free.isEmpty()) {
      return "no GPUs";
    }
    List<String> parts = new ArrayList<>();
    free.forEach((gpu, left) -> parts.add("GPU " + gpu + " " + Math.max(0, left) + " MiB free"));
    return String.join(", ", parts);
  }
}

package io.sage.gateway.management;

import io.sage.spi.job.SchedulerStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The status page's view of the schedulers behind job runtimes (Slurm): reachable or not, and the
 * nodes' GPUs as the scheduler reports them. {@code GET /gpu} stays the gateway host's GPUs.
 */
final class SchedulerViews {
  private SchedulerViews() {}

  static List<Map<String, Object>> of(Map<String, SchedulerStatus> schedulers) {
    List<Map<String, Object>> views = new ArrayList<>();
    for (Map.Entry<String, SchedulerStatus> scheduler : schedulers.entrySet()) {
      String kind = scheduler.getKey();
      SchedulerStatus status = scheduler.getValue();
      List<Map<String, Object>> nodes = new ArrayList<>();
      for (SchedulerStatus.Node node : status.nodes()) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("name", node.name());
        n.put("state", node.state());
        n.put("gres", node.gres());
        n.put("gres_used", node.gresUsed());
        nodes.add(n);
      }
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("runtime", kind);
      view.put("reachable", status.reachable());
      view.put("detail", status.detail());
      view.put("nodes", nodes);
      views.add(view);
    }
    return views;
  }
}

package io.sage.gateway.management;

import io.sage.host.plugin.PluginHost;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.job.RemoteJobs;
import io.sage.spi.job.SchedulerStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The status page's view of the schedulers behind job runtimes (Slurm): reachable or not, and the
 * nodes' GPUs as the scheduler reports them. {@code GET /gpu} stays the gateway host's GPUs.
 */
final class SchedulerViews {
  private SchedulerViews() {}

  static List<Map<String, Object>> of(PluginHost plugins) {
    List<Map<String, Object>> views = new ArrayList<>();
    for (String kind : plugins.runtimeKinds()) {
      Optional<RemoteJobs> jobs =
          plugins.findRuntime(kind).flatMap(EngineRuntimeFactory::remoteJobs);
      if (jobs.isEmpty()) {
        continue;
      }
      SchedulerStatus status;
      try {
        status = jobs.get().schedulerStatus();
      } catch (RuntimeException e) {
        status = new SchedulerStatus(false, "status failed: " + e, List.of());
      }
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

package io.sage.host.cluster;

import java.time.Instant;
import java.util.Objects;

/**
 * What one node saw of one declared model (docs/cluster.md): written by every node every second or
 * so, read by the leader, which applies on-demand starts, idle unload and scaling for the cluster.
 *
 * @param nodeId the node that wrote it
 * @param model the declared model's name
 * @param lastUsedAt the last request that node got for the model; null when none yet
 * @param waiting requests waiting on that node for an engine of the model to load
 * @param inFlight requests that node has in flight on the model's engines
 * @param updatedAt when that node wrote the row
 */
public record ModelActivity(
    String nodeId, String model, Instant lastUsedAt, int waiting, int inFlight, Instant updatedAt) {
  public ModelActivity {
    Node.requireValidId(nodeId);
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(updatedAt, "updatedAt");
    if (waiting < 0 || inFlight < 0) {
      throw new IllegalArgumentException(
          "waiting and in-flight counts cannot be negative: " + waiting + ", " + inFlight);
    }
  }
}

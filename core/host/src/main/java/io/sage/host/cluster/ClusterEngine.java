package io.sage.host.cluster;

import io.sage.host.engine.EngineRecord;
import java.util.Objects;

/**
 * An engine row as the shared database holds it, with the node that runs it (docs/cluster.md).
 *
 * @param nodeId the node that launched and supervises the engine
 * @param record the engine's last committed row
 */
public record ClusterEngine(String nodeId, EngineRecord record) {
  public ClusterEngine {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(record, "record");
  }
}

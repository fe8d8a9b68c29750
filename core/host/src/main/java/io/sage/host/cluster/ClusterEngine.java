package io.sage.host.cluster;

import io.sage.host.engine.EngineRecord;
import java.util.Objects;

/**
 * An engine of the cluster as the store has it, with the node that runs it.
 *
 * @param nodeId the node that launched and supervises it; empty for a row of no node yet
 * @param record its stored row
 */
public record ClusterEngine(String nodeId, EngineRecord record) {
  public ClusterEngine {
    nodeId = nodeId == null ? "" : nodeId;
    Objects.requireNonNull(record, "record");
  }

  public String id() {
    return record.id();
  }
}

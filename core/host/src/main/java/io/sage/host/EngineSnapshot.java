package io.sage.host;

import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;

/**
 * An engine as the gateway sees it: its last committed record, its in-flight request count (sent
 * from this node) at the moment the snapshot was taken, and the node that runs it.
 *
 * @param nodeId the node that runs and supervises the engine; null when not known (one node)
 */
public record EngineSnapshot(EngineRecord record, int inFlight, String nodeId) {
  /** An engine of this node. */
  public EngineSnapshot(EngineRecord record, int inFlight) {
    this(record, inFlight, null);
  }

  public String id() {
    return record.id();
  }

  public EngineState state() {
    return record.state();
  }
}

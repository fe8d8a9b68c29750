package io.sage.host;

import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;

/**
 * An engine as the gateway sees it: its last committed record and its in-flight request count at
 * the moment the snapshot was taken.
 */
public record EngineSnapshot(EngineRecord record, int inFlight) {
  public String id() {
    return record.id();
  }

  public EngineState state() {
    return record.state();
  }
}

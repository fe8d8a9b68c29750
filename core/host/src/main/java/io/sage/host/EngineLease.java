package io.sage.host;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.PlannedStop;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One request's hold on the engine routing chose for it: counted in the engine's in-flight requests
 * (which the router balances on and a drain waits for) from the moment it is handed out until it is
 * closed. Close it exactly when the response completes, fails, or the client goes away; closing
 * again does nothing.
 */
public final class EngineLease implements AutoCloseable {
  private final EngineEntry entry;
  private final EngineRecord record;
  private final Consumer<EngineEntry> unreachable;
  private final AtomicBoolean closed = new AtomicBoolean();

  EngineLease(EngineEntry entry, Consumer<EngineEntry> unreachable) {
    this.entry = entry;
    this.record = entry.record();
    this.unreachable = unreachable;
    entry.requestStarted();
  }

  public String engineId() {
    return record.id();
  }

  /** The engine as it was when the lease was handed out. */
  public EngineRecord record() {
    return record;
  }

  /**
   * Why the gateway stopped the engine, when it did: a stream cut by a drain timeout or a stop
   * without drain ends with that reason, not as an engine failure.
   */
  public Optional<PlannedStop> plannedStop() {
    return Optional.ofNullable(entry.plannedStop());
  }

  /** The engine could not be reached: it is probed at once rather than at its next interval. */
  public void reportUnreachable() {
    unreachable.accept(entry);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      entry.requestFinished();
    }
  }
}

package io.sage.host.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live side of one registry row: the last committed record, its host options parsed once, and
 * the in-flight count that exists only in this gateway process. The record is replaced only by
 * {@link EngineRegistry}, under this entry's lock. Internal to core/host: the gateway sees {@code
 * EngineSnapshot}s and holds leases.
 */
public final class EngineEntry {
  private volatile EngineRecord record;
  private final HostOptions hostOptions;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile PlannedStop plannedStop;
  private final String nodeId;

  EngineEntry(EngineRecord record) {
    this(record, null);
  }

  /** An engine of another node ({@code nodeId}), or of this one when {@code nodeId} is null. */
  EngineEntry(EngineRecord record, String nodeId) {
    this.record = record;
    this.hostOptions = HostOptions.of(record.spec());
    this.nodeId = nodeId;
  }

  public EngineRecord record() {
    return record;
  }

  void setRecord(EngineRecord record) {
    this.record = record;
  }

  public String id() {
    return record.id();
  }

  /**
   * The node that runs and supervises this engine when it is another node's (docs/cluster.md), null
   * for this node's own engines. Another node's engine is routed to, never supervised here.
   */
  public String nodeId() {
    return nodeId;
  }

  /** True for this node's own engines (launched, supervised and stopped here). */
  public boolean isLocal() {
    return nodeId == null;
  }

  public EngineState state() {
    return record.state();
  }

  /** The host options of the spec (which never changes), parsed when the entry was made. */
  public HostOptions hostOptions() {
    return hostOptions;
  }

  /** Requests sent to this engine whose response has not completed, failed or been cancelled. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Called when a lease on this engine is handed out. */
  public void requestStarted() {
    inFlight.incrementAndGet();
  }

  /** Called exactly once per {@link #requestStarted()}, when the lease is closed. */
  public void requestFinished() {
    inFlight.decrementAndGet();
  }

  /**
   * Why the gateway is ending the current process, once a stop signals it; null while it runs, and
   * for a process that died or failed on its own.
   */
  public PlannedStop plannedStop() {
    return plannedStop;
  }

  /** Set by the stopper before it signals the process; cleared by a launch. */
  public void setPlannedStop(PlannedStop plannedStop) {
    this.plannedStop = plannedStop;
  }

  /** True when the router may send this engine new requests. */
  public boolean isRoutable() {
    return record.state() == EngineState.READY;
  }

  /** The model names clients may use for this engine. */
  public boolean serves(String model) {
    return record.spec().servedModelName().equals(model) || record.spec().model().equals(model);
  }
}

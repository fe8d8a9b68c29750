package io.sage.host.engine;

import io.sage.host.process.ManagedProcess;
import io.sage.spi.engine.HealthProbe;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live side of one registry row: the last committed record plus what exists only in this
 * gateway process (in-flight requests, the process handle, probe settings). The record is replaced
 * only by {@link EngineRegistry}, under this entry's lock.
 */
public final class EngineEntry {
  private volatile EngineRecord record;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile ManagedProcess process;
  private volatile HealthProbe probe;

  /** Bumped on every launch, so that callbacks from an older process are ignored. */
  private volatile long generation;

  EngineEntry(EngineRecord record) {
    this.record = record;
    this.probe = HealthProbe.standard(record.spec().kind());
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

  public EngineState state() {
    return record.state();
  }

  /** Requests sent to this engine whose response has not completed, failed or been cancelled. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Called by the proxy when it sends a request to this engine. */
  public void requestStarted() {
    inFlight.incrementAndGet();
  }

  /** Called by the proxy exactly once per {@link #requestStarted()}. */
  public void requestFinished() {
    inFlight.decrementAndGet();
  }

  public ManagedProcess process() {
    return process;
  }

  public void setProcess(ManagedProcess process) {
    this.process = process;
  }

  public HealthProbe probe() {
    return probe;
  }

  public void setProbe(HealthProbe probe) {
    this.probe = probe;
  }

  public long generation() {
    return generation;
  }

  public long nextGeneration() {
    return ++generation;
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

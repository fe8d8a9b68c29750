package io.sage.host.engine;

import io.sage.spi.engine.EngineSpec;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The registry's row for one engine: what was asked for, where it stands, where it runs, how to
 * find its process again after a gateway restart, and what the probes said. Immutable; a change
 * produces a copy through one of the {@code with...} methods, each replacing one part.
 *
 * @param id engine id ({@code eng-} followed by 12 hex digits)
 * @param spec what the operator asked for
 * @param engineApiKey the key the gateway sends to the engine (a secret: never shown)
 * @param lifecycle state, desired state, restarts and last error
 * @param placement address and GPUs
 * @param process the process to adopt after a restart ({@link ProcessIdentity#NONE} for none)
 * @param health the probes' verdict
 * @param createdAt when it was first registered
 * @param updatedAt when this row last changed
 */
public record EngineRecord(
    String id,
    EngineSpec spec,
    String engineApiKey,
    Lifecycle lifecycle,
    Placement placement,
    ProcessIdentity process,
    Health health,
    Instant createdAt,
    Instant updatedAt) {

  public EngineRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(lifecycle, "lifecycle");
    Objects.requireNonNull(placement, "placement");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    process = process == null ? ProcessIdentity.NONE : process;
    health = health == null ? Health.UNKNOWN : health;
    engineApiKey = engineApiKey == null ? "" : engineApiKey;
  }

  /** A new engine, STARTING and meant to run: launched here or registered by URL. */
  public static EngineRecord starting(
      String id, EngineSpec spec, Placement placement, String engineApiKey, Instant now) {
    return new EngineRecord(
        id,
        spec,
        engineApiKey,
        Lifecycle.starting(now),
        placement,
        ProcessIdentity.NONE,
        Health.UNKNOWN,
        now,
        now);
  }

  /** True for engines registered by URL: nothing to launch. */
  public boolean isRemote() {
    return "remote".equals(spec.runtime());
  }

  public EngineState state() {
    return lifecycle.state();
  }

  public DesiredState desiredState() {
    return lifecycle.desired();
  }

  public Instant stateSince() {
    return lifecycle.since();
  }

  public int restartCount() {
    return lifecycle.restartCount();
  }

  public String lastError() {
    return lifecycle.lastError();
  }

  /** The automatic restarts within the restart policy's window, oldest first. */
  public List<Instant> recentRestarts() {
    return lifecycle.recentRestarts();
  }

  public String host() {
    return placement.host();
  }

  public Integer port() {
    return placement.port();
  }

  public String baseUrl() {
    return placement.baseUrl();
  }

  public List<Integer> gpuIds() {
    return placement.gpuIds();
  }

  public EngineRecord withState(EngineState newState, Instant at) {
    return with(lifecycle.enter(newState, at), placement, process, health, at);
  }

  public EngineRecord withDesiredState(DesiredState desired, Instant at) {
    return with(lifecycle.desire(desired), placement, process, health, at);
  }

  /** One more restart counted. */
  public EngineRecord withRestart(Instant at) {
    return with(lifecycle.restarted(), placement, process, health, at);
  }

  public EngineRecord withLastError(String error, Instant at) {
    return with(lifecycle.failed(error), placement, process, health, at);
  }

  /** The restart policy's window as it now stands (kept across gateway restarts). */
  public EngineRecord withRecentRestarts(List<Instant> window, Instant at) {
    return with(lifecycle.restartsWithin(window), placement, process, health, at);
  }

  public EngineRecord withPlacement(Placement newPlacement, Instant at) {
    return with(lifecycle, newPlacement, process, health, at);
  }

  public EngineRecord withProcess(ProcessIdentity newProcess, Instant at) {
    return with(lifecycle, placement, newProcess, health, at);
  }

  public EngineRecord withHealth(Health newHealth, Instant at) {
    return with(lifecycle, placement, process, newHealth, at);
  }

  private EngineRecord with(
      Lifecycle newLifecycle,
      Placement newPlacement,
      ProcessIdentity newProcess,
      Health newHealth,
      Instant at) {
    return new EngineRecord(
        id, spec, engineApiKey, newLifecycle, newPlacement, newProcess, newHealth, createdAt, at);
  }
}

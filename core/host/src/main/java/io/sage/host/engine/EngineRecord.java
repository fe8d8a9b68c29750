package io.sage.host.engine;

import io.sage.spi.engine.EngineSpec;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The registry's row for one engine: what was asked for, what is observed, and how to find its
 * process again after a gateway restart. Immutable; changes produce a copy through the {@code
 * with...} methods.
 *
 * @param id engine id ({@code eng-} followed by 12 hex digits)
 * @param spec what the operator asked for
 * @param state observed state
 * @param desiredState what reconciliation aims for
 * @param host address the engine listens on
 * @param port port the engine listens on, or null before placement
 * @param baseUrl the engine's base URL ({@code http://host:port}, or the remote URL)
 * @param pid process id of the engine's process group leader, or null
 * @param processStartTime start time of that process, to tell a recycled pid apart
 * @param commandLine the command line it was started with, for the same reason
 * @param gpuIds GPUs placed for it
 * @param gpuMemoryMib memory reserved on each of those GPUs
 * @param engineApiKey the key the gateway sends to the engine (a secret: never shown)
 * @param createdAt when it was first registered
 * @param updatedAt when this row last changed
 * @param stateSince when the current state began
 * @param lastHeartbeatAt last successful probe, or null
 * @param consecutiveFailures failed probes in a row
 * @param restartCount automatic and manual restarts so far
 * @param lastError the reason of the last failure, or null
 */
public record EngineRecord(
    String id,
    EngineSpec spec,
    EngineState state,
    DesiredState desiredState,
    String host,
    Integer port,
    String baseUrl,
    Long pid,
    Instant processStartTime,
    String commandLine,
    List<Integer> gpuIds,
    long gpuMemoryMib,
    String engineApiKey,
    Instant createdAt,
    Instant updatedAt,
    Instant stateSince,
    Instant lastHeartbeatAt,
    int consecutiveFailures,
    int restartCount,
    String lastError) {

  public EngineRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(desiredState, "desiredState");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(stateSince, "stateSince");
    gpuIds = gpuIds == null ? List.of() : List.copyOf(gpuIds);
  }

  /** True for engines registered by URL: nothing to launch. */
  public boolean isRemote() {
    return "remote".equals(spec.runtime());
  }

  public EngineRecord withState(EngineState newState, Instant at) {
    return new EngineRecord(
        id,
        spec,
        newState,
        desiredState,
        host,
        port,
        baseUrl,
        pid,
        processStartTime,
        commandLine,
        gpuIds,
        gpuMemoryMib,
        engineApiKey,
        createdAt,
        at,
        at,
        lastHeartbeatAt,
        consecutiveFailures,
        restartCount,
        lastError);
  }

  public EngineRecord withDesiredState(DesiredState desired, Instant at) {
    return new EngineRecord(
        id,
        spec,
        state,
        desired,
        host,
        port,
        baseUrl,
        pid,
        processStartTime,
        commandLine,
        gpuIds,
        gpuMemoryMib,
        engineApiKey,
        createdAt,
        at,
        stateSince,
        lastHeartbeatAt,
        consecutiveFailures,
        restartCount,
        lastError);
  }

  public EngineRecord withProcess(
      Long newPid, Instant startTime, String newCommandLine, Instant at) {
    return new EngineRecord(
        id,
        spec,
        state,
        desiredState,
        host,
        port,
        baseUrl,
        newPid,
        startTime,
        newCommandLine,
        gpuIds,
        gpuMemoryMib,
        engineApiKey,
        createdAt,
        at,
        stateSince,
        lastHeartbeatAt,
        consecutiveFailures,
        restartCount,
        lastError);
  }

  public EngineRecord withPlacement(
      Integer newPort, String newBaseUrl, List<Integer> gpus, long memoryMib, Instant at) {
    return new EngineRecord(
        id,
        spec,
        state,
        desiredState,
        host,
        newPort,
        newBaseUrl,
        pid,
        processStartTime,
        commandLine,
        gpus,
        memoryMib,
        engineApiKey,
        createdAt,
        at,
        stateSince,
        lastHeartbeatAt,
        consecutiveFailures,
        restartCount,
        lastError);
  }

  public EngineRecord withHealth(Instant heartbeat, int failures, Instant at) {
    return new EngineRecord(
        id,
        spec,
        state,
        desiredState,
        host,
        port,
        baseUrl,
        pid,
        processStartTime,
        commandLine,
        gpuIds,
        gpuMemoryMib,
        engineApiKey,
        createdAt,
        at,
        stateSince,
        heartbeat,
        failures,
        restartCount,
        lastError);
  }

  public EngineRecord withRestartCount(int restarts, Instant at) {
    return new EngineRecord(
        id,
        spec,
        state,
        desiredState,
        host,
        port,
        baseUrl,
        pid,
        processStartTime,
        commandLine,
        gpuIds,
        gpuMemoryMib,
        engineApiKey,
        createdAt,
        at,
        stateSince,
        lastHeartbeatAt,
        consecutiveFailures,
        restarts,
        lastError);
  }

  public EngineRecord withLastError(String error, Instant at) {
    return new EngineRecord(
        id,
        spec,
        state,
        desiredState,
        host,
        port,
        baseUrl,
        pid,
        processStartTime,
        commandLine,
        gpuIds,
        gpuMemoryMib,
        engineApiKey,
        createdAt,
        at,
        stateSince,
        lastHeartbeatAt,
        consecutiveFailures,
        restartCount,
        error);
  }
}

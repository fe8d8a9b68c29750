package io.sage.host.management;

import io.sage.host.audit.AuditTrail;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineIds;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.host.gpu.GpuMemoryNeed;
import io.sage.host.gpu.GpuPlacer;
import io.sage.host.gpu.GpuRequest;
import io.sage.host.plugin.RuntimeCatalog;
import io.sage.host.port.PortAllocator;
import io.sage.host.supervision.Supervision;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the management API does, independent of HTTP: launches, registers, stops, restarts and
 * forgets engines, and writes an audit row for every action, failed ones too. Validation, GPU
 * placement and masking are parts of their own; supervision does the work with processes.
 */
public final class EngineManager {
  private final EngineRegistry registry;
  private final Supervision supervision;
  private final RuntimeCatalog plugins;
  private final PortAllocator ports;
  private final GpuPlacer gpus;
  private final AuditTrail audit;
  private final String engineHost;
  private final StartValidation startValidation;
  private final RemoteRegistration remoteRegistration;
  private final OptionMasking masking;

  /**
   * @param engineHost the address engines launched here bind
   * @param gatewayAddresses this gateway's own addresses, refused as remote URLs
   */
  public EngineManager(
      EngineRegistry registry,
      Supervision supervision,
      RuntimeCatalog plugins,
      PortAllocator ports,
      GpuPlacer gpus,
      AuditTrail audit,
      String engineHost,
      SelfAddresses gatewayAddresses) {
    this.registry = registry;
    this.supervision = supervision;
    this.plugins = plugins;
    this.ports = ports;
    this.gpus = gpus;
    this.audit = audit;
    this.engineHost = engineHost;
    this.startValidation = new StartValidation(plugins);
    this.remoteRegistration = new RemoteRegistration(gatewayAddresses);
    this.masking = new OptionMasking(plugins);
  }

  /** Validates and launches an engine; it is STARTING when this returns. */
  public EngineEntry start(StartRequest request, String actor) {
    return start(request, actor, EngineIds.next());
  }

  /**
   * Validates and launches an engine with the id another node chose for it (a start placed on this
   * node through the store: the caller already answered with the id); STARTING when this returns.
   */
  public EngineEntry start(StartRequest request, String actor, String id) {
    try {
      if (!EngineIds.isValid(id)) {
        throw SageException.invalid("id", "not an engine id: '" + id + "'");
      }
      EngineEntry entry = launch(startValidation.validate(request), actor, id);
      EngineRecord record = entry.record();
      audit.record(
          actor,
          "engine.start",
          entry.id(),
          "accepted",
          "runtime "
              + record.spec().runtime()
              + ", model "
              + record.spec().model()
              + ", port "
              + record.port());
      return entry;
    } catch (SageException e) {
      audit.record(actor, "engine.start", null, "error", e.getMessage());
      throw e;
    }
  }

  /**
   * Validates the request and says what it would ask of the GPUs of whichever node runs it (the
   * leader places it with this); empty when it would get no GPUs.
   */
  public Optional<GpuRequest> gpuDemand(StartRequest request) {
    StartValidation.Validated validated = startValidation.validate(request);
    EngineSpec spec = validated.spec();
    EngineRuntimeFactory runtime = validated.runtime();
    if (runtime == null
        || !runtime.usesGpus()
        || runtime.remoteJobs().isPresent()
        || !spec.useGpu()) {
      return Optional.empty();
    }
    List<Integer> explicit = spec.requestedGpuIds();
    int count = explicit.isEmpty() ? spec.tensorParallelSize() : explicit.size();
    return Optional.of(new GpuRequest(explicit, count, GpuMemoryNeed.of(spec, count, runtime)));
  }

  private EngineEntry launch(StartValidation.Validated validated, String actor, String id) {
    EngineSpec spec = validated.spec();
    GpuPlacer.Placed placed =
        gpus.placesGpus(spec, validated.runtime())
            ? gpus.place(id, "engine for " + spec.model(), spec, validated.runtime())
            : GpuPlacer.Placed.NONE;
    int port;
    try {
      port =
          spec.requestedPort() != null
              ? ports.reserve(id, spec.requestedPort())
              : ports.allocate(id);
    } catch (RuntimeException e) {
      gpus.release(id);
      throw e;
    }
    EngineRecord record =
        EngineRecord.starting(
            id,
            spec,
            Placement.local(engineHost, port, placed.gpuIds(), placed.perGpuMib()),
            EngineIds.nextEngineKey(),
            registry.clock().instant());
    EngineEntry entry;
    try {
      entry =
          registry.create(
              record,
              "launched by "
                  + actor
                  + ": runtime "
                  + spec.runtime()
                  + ", model "
                  + spec.model()
                  + (placed.gpuIds().isEmpty()
                      ? ""
                      : ", GPUs "
                          + placed.gpuIds()
                          + " with "
                          + placed.perGpuMib()
                          + " MiB reserved on each"));
    } catch (RuntimeException e) {
      ports.release(id, port);
      gpus.release(id);
      throw e;
    }
    supervision.launch(entry);
    return entry;
  }

  /** Registers an engine that runs elsewhere; it is STARTING until its first good probe. */
  public EngineEntry register(RegisterRequest request, String actor) {
    try {
      RemoteRegistration.Validated remote = remoteRegistration.validate(request);
      String id = EngineIds.next();
      EngineRecord record =
          EngineRecord.starting(
              id,
              remote.spec(),
              Placement.remote(remote.baseUrl()),
              remote.apiKey(),
              registry.clock().instant());
      EngineEntry entry =
          registry.create(
              record, "remote engine registered by " + actor + " at " + remote.baseUrl());
      supervision.launch(entry);
      audit.record(
          actor,
          "engine.register",
          id,
          "accepted",
          "remote " + remote.spec().model() + " at " + remote.baseUrl());
      return entry;
    } catch (SageException e) {
      audit.record(actor, "engine.register", null, "error", e.getMessage());
      throw e;
    }
  }

  /** Graceful (drain) or immediate stop; completes when STOPPED. */
  public CompletableFuture<EngineRecord> stop(
      String id, boolean drain, Duration drainTimeout, String actor) {
    try {
      EngineEntry entry = registry.require(id);
      if (drainTimeout.isNegative() || drainTimeout.compareTo(Duration.ofHours(1)) > 0) {
        throw SageException.invalid(
            "drain_timeout", "drain_timeout must be between 0 and 3600 seconds");
      }
      CompletableFuture<EngineRecord> stopped = supervision.stop(entry, drain, drainTimeout, actor);
      audit.record(
          actor,
          "engine.stop",
          id,
          "accepted",
          drain ? "drain, timeout " + drainTimeout.toSeconds() + " s" : "no drain");
      return stopped;
    } catch (SageException e) {
      audit.record(actor, "engine.stop", id, "error", e.getMessage());
      throw e;
    }
  }

  /**
   * Restarts an ERROR or STOPPED engine. A STOPPED engine gave its GPUs back, so it is placed again
   * first (409 when nothing fits); an ERROR engine kept them.
   */
  public EngineRecord restart(String id, String actor) {
    try {
      EngineEntry entry = registry.require(id);
      boolean placed = placeAgainIfStopped(entry);
      EngineRecord record;
      try {
        record = supervision.restart(entry, actor);
      } catch (RuntimeException e) {
        if (placed && entry.state() == EngineState.STOPPED) {
          gpus.release(id);
        }
        throw e;
      }
      audit.record(actor, "engine.restart", id, "accepted", null);
      return record;
    } catch (SageException e) {
      audit.record(actor, "engine.restart", id, "error", e.getMessage());
      throw e;
    }
  }

  private boolean placeAgainIfStopped(EngineEntry entry) {
    EngineRecord record = entry.record();
    EngineRuntimeFactory runtime =
        record.isRemote() ? null : plugins.findRuntime(record.spec().runtime()).orElse(null);
    if (entry.state() != EngineState.STOPPED || !gpus.placesGpus(record.spec(), runtime)) {
      return false;
    }
    GpuPlacer.Placed placed =
        gpus.place(entry.id(), "engine " + entry.id(), record.spec(), runtime);
    registry.update(
        entry,
        r ->
            r.withPlacement(
                r.placement().withGpus(placed.gpuIds(), placed.perGpuMib()),
                registry.clock().instant()));
    return true;
  }

  /** Forgets a STOPPED or ERROR engine; its events stay. */
  public void purge(String id, String actor) {
    try {
      EngineEntry entry = registry.require(id);
      EngineState state = entry.state();
      switch (state) {
        case STOPPED -> {
          // nothing runs
        }
        case ERROR -> supervision.stop(entry, false, Duration.ZERO, actor).join();
        case STARTING, READY, DRAINING ->
            throw new SageException(
                ErrorCode.ILLEGAL_STATE,
                "cannot remove engine " + id + ": it is " + state + "; stop it first",
                "state");
      }
      registry.remove(entry);
      supervision.forget(id);
      gpus.release(id);
      if (entry.record().port() != null && !entry.record().isRemote()) {
        ports.release(id, entry.record().port());
      }
      audit.record(actor, "engine.remove", id, "ok", "purged");
    } catch (SageException e) {
      audit.record(actor, "engine.remove", id, "error", e.getMessage());
      throw e;
    }
  }

  /** The events of this node's engine or another node's (they are all in the database). */
  public List<EngineEvent> events(String id, int limit) {
    if (registry.findInCluster(id).isEmpty()) {
      registry.require(id);
    }
    return registry.events(id, limit);
  }

  /** Option values with secrets masked, for display. */
  public Map<String, String> maskedOptions(EngineRecord record) {
    return masking.masked(record.spec());
  }
}

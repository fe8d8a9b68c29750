package io.sage.host.management;

import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineIds;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.HostOptions;
import io.sage.host.gpu.GpuMemoryNeed;
import io.sage.host.gpu.GpuRequest;
import io.sage.host.gpu.GpuReservations;
import io.sage.host.gpu.GpuSource;
import io.sage.host.plugin.PluginHost;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.ProcessGroups;
import io.sage.host.supervision.EngineSupervisor;
import io.sage.host.supervision.RemoteJobSpecs;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.gpu.GpuDevice;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What the management API does, independent of HTTP: validates requests, launches, registers,
 * stops, restarts and forgets engines, and writes an audit row for every action, failed ones too.
 */
public final class EngineManager {
  /**
   * Option names that hold secrets whatever the runtime says: *_key, *token, *secret, *password.
   */
  private static final java.util.regex.Pattern SECRET_NAME =
      java.util.regex.Pattern.compile(
          "(^|[_.-])(key|api_key|token|secret|password|passwd|credentials?)$");

  private final EngineRegistry registry;
  private final EngineSupervisor supervisor;
  private final PluginHost plugins;
  private final PortAllocator ports;
  private final String engineHost;
  private final Set<String> gatewayAddresses;
  private final GpuSource gpus;
  private final GpuReservations reservations;

  /** Without GPU placement (provider {@code none}): engines launch on whatever GPUs they see. */
  public EngineManager(
      EngineRegistry registry,
      EngineSupervisor supervisor,
      PluginHost plugins,
      PortAllocator ports,
      String engineHost,
      Set<String> gatewayAddresses) {
    this(
        registry,
        supervisor,
        plugins,
        ports,
        engineHost,
        gatewayAddresses,
        GpuSource.none("GPU placement is off"),
        new GpuReservations());
  }

  /**
   * @param gpus the active GPU provider's devices, for placement
   * @param reservations GPU memory promised to engines; this manager keeps it in step with the
   *     registry (it listens for STOPPED)
   */
  public EngineManager(
      EngineRegistry registry,
      EngineSupervisor supervisor,
      PluginHost plugins,
      PortAllocator ports,
      String engineHost,
      Set<String> gatewayAddresses,
      GpuSource gpus,
      GpuReservations reservations) {
    this.gpus = gpus;
    this.reservations = reservations;
    registry.addListener(reservations);
    this.registry = registry;
    this.supervisor = supervisor;
    this.plugins = plugins;
    this.ports = ports;
    this.engineHost = engineHost;
    this.gatewayAddresses = Set.copyOf(gatewayAddresses);
  }

  /** Validates and launches an engine; it is STARTING when this returns. */
  public EngineEntry start(StartRequest request, String actor) {
    try {
      EngineEntry entry = doStart(request, actor);
      audit(
          actor,
          "engine.start",
          entry.id(),
          "accepted",
          "runtime "
              + entry.record().spec().runtime()
              + ", model "
              + entry.record().spec().model()
              + ", port "
              + entry.record().port());
      return entry;
    } catch (SageException e) {
      audit(actor, "engine.start", null, "error", e.getMessage());
      throw e;
    }
  }

  private EngineEntry doStart(StartRequest request, String actor) {
    SpecValidator v = new SpecValidator();
    v.modelName("model", request.model(), true);
    v.modelName("served_model_name", request.servedModelName(), false);
    v.label(request.label());
    v.options(request.options());
    v.extraArgs(request.extraArgs());
    EngineKind kind = null;
    try {
      kind = request.engineKind() == null ? EngineKind.LLM : EngineKind.parse(request.engineKind());
    } catch (SageException e) {
      v.check(false, e.getMessage());
    }
    int tp = request.tensorParallelSize() == null ? 1 : request.tensorParallelSize();
    v.check(tp >= 1 && tp <= 64, "tensor_parallel_size must be between 1 and 64, got " + tp);
    if (request.gpuIds() != null) {
      for (Integer id : request.gpuIds()) {
        v.check(
            id != null && id >= 0 && id < 1024,
            "gpu_ids must be GPU indexes (0 or more), got " + id);
      }
      v.check(
          new HashSet<>(request.gpuIds()).size() == request.gpuIds().size(),
          "gpu_ids must not name a GPU twice, got " + request.gpuIds());
    }
    if (request.port() != null) {
      v.check(
          request.port() >= 1024 && request.port() <= 65535,
          "port must be between 1024 and 65535, got " + request.port());
    }
    String runtimeKind =
        request.runtime() == null || request.runtime().isBlank()
            ? defaultRuntime(kind)
            : request.runtime().trim().toLowerCase(Locale.ROOT);
    EngineRuntimeFactory factory = null;
    if ("remote".equals(runtimeKind)) {
      v.check(
          false,
          "runtime 'remote' launches nothing: register remote engines with POST /v1/management/engines/register");
    } else {
      factory = plugins.findRuntime(runtimeKind).orElse(null);
      v.check(
          factory != null,
          "unknown runtime '"
              + runtimeKind
              + "'; loaded runtimes: "
              + String.join(", ", plugins.runtimeKinds()));
    }
    if (factory != null && kind != null) {
      v.check(
          factory.engineKinds().contains(kind),
          "runtime '" + runtimeKind + "' cannot serve engine_kind " + kind.wireName());
    }
    v.addAll(HostOptions.problems(request.options()));
    v.throwIfInvalid();
    boolean useGpu = request.useGpu() == null ? factory.usesGpus() : request.useGpu();
    EngineSpec spec =
        new EngineSpec(
            request.model(),
            request.servedModelName(),
            kind,
            runtimeKind,
            request.port(),
            tp,
            request.gpuIds(),
            useGpu,
            request.label(),
            request.extraArgs(),
            request.options());
    List<String> runtimeProblems = new ArrayList<>(factory.validate(HostOptions.forRuntime(spec)));
    if (runtimeProblems.isEmpty()) {
      runtimeProblems.addAll(
          RemoteJobSpecs.problems(plugins, factory, HostOptions.forRuntime(spec)));
    }
    if (!runtimeProblems.isEmpty()) {
      throw new SageException(
          ErrorCode.INVALID_OPTION,
          "invalid engine request for runtime "
              + runtimeKind
              + ": "
              + String.join("; ", runtimeProblems));
    }
    String id = EngineIds.next();
    List<Integer> gpuIds = List.of();
    long gpuMemoryMib = 0;
    if (factory.usesGpus() && useGpu && gpus.placesGpus() && factory.remoteJobs().isEmpty()) {
      GpuRequest gpuRequest = gpuRequest(spec);
      gpuIds = placeGpus(id, "engine for " + spec.model(), gpuRequest);
      gpuMemoryMib = gpuRequest.need().perGpuMib();
    }
    int port;
    try {
      port = request.port() != null ? ports.reserve(id, request.port()) : ports.allocate(id);
    } catch (RuntimeException e) {
      reservations.release(id);
      throw e;
    }
    Instant now = registry.clock().instant();
    EngineRecord record =
        new EngineRecord(
            id,
            spec,
            EngineState.STARTING,
            DesiredState.RUNNING,
            engineHost,
            port,
            "http://" + engineHost + ":" + port,
            null,
            null,
            null,
            gpuIds,
            gpuMemoryMib,
            EngineIds.nextEngineKey(),
            now,
            now,
            now,
            null,
            0,
            0,
            null);
    EngineEntry entry;
    try {
      entry =
          registry.create(
              record,
              "launched by "
                  + actor
                  + ": runtime "
                  + runtimeKind
                  + ", model "
                  + spec.model()
                  + (gpuIds.isEmpty()
                      ? ""
                      : ", GPUs " + gpuIds + " with " + gpuMemoryMib + " MiB reserved on each"));
    } catch (RuntimeException e) {
      ports.release(id, port);
      reservations.release(id);
      throw e;
    }
    supervisor.launchAsync(entry);
    return entry;
  }

  /** The GPUs an engine asks for: its gpu_ids, else tensor_parallel_size GPUs by best fit. */
  private static GpuRequest gpuRequest(EngineSpec spec) {
    List<Integer> explicit = spec.requestedGpuIds();
    int count = explicit.isEmpty() ? spec.tensorParallelSize() : explicit.size();
    return new GpuRequest(explicit, count, GpuMemoryNeed.of(spec, count));
  }

  /**
   * Places and reserves GPUs for an engine (one lock inside {@link GpuReservations}, so concurrent
   * starts never share memory). Reading the devices happens outside that lock: NVML may take a
   * moment.
   */
  private List<Integer> placeGpus(String id, String subject, GpuRequest request) {
    String wanted =
        request.isExplicit() ? "GPU(s) " + request.explicitIds() : request.count() + " GPU(s)";
    List<GpuDevice> devices;
    try {
      devices = gpus.devices();
    } catch (SageException e) {
      throw new SageException(
          ErrorCode.GPU_UNAVAILABLE,
          subject
              + " needs "
              + wanted
              + " but the GPUs cannot be read: "
              + e.getMessage()
              + "; start it with use_gpu: false to run without GPUs",
          "use_gpu");
    }
    if (devices.isEmpty()) {
      String why =
          gpus.providerName()
              .map(name -> "GPU provider " + name + " reports no GPUs")
              .orElse(gpus.unavailableReason());
      throw new SageException(
          ErrorCode.GPU_UNAVAILABLE,
          subject
              + " needs "
              + wanted
              + " but "
              + why
              + "; start it with use_gpu: false to run without GPUs",
          "use_gpu");
    }
    return reservations.reserve(id, subject, devices, enginePids(), request);
  }

  /** Processes of engines holding GPUs: their memory use is already counted as reserved. */
  private Set<Long> enginePids() {
    Set<Long> pids = new LinkedHashSet<>();
    for (GpuReservations.Reservation reservation : reservations.all()) {
      registry
          .find(reservation.engineId())
          .map(e -> e.record().pid())
          .filter(pid -> pid > 1)
          .ifPresent(
              pid -> {
                pids.add(pid);
                pids.addAll(ProcessGroups.members(pid));
              });
    }
    return pids;
  }

  /** Whether the engine gets GPUs placed when it (re)starts. */
  private boolean placesGpus(EngineRecord record) {
    return !record.isRemote()
        && record.spec().useGpu()
        && gpus.placesGpus()
        && plugins
            .findRuntime(record.spec().runtime())
            .map(EngineRuntimeFactory::usesGpus)
            .orElse(false);
  }

  /** Rebuilds the GPU reservations from the registry; call after loading it, before reconciling. */
  public void restoreGpuReservations() {
    List<EngineRecord> records = new ArrayList<>();
    for (EngineEntry entry : registry.all()) {
      records.add(entry.record());
    }
    reservations.restore(records);
  }

  public GpuReservations gpuReservations() {
    return reservations;
  }

  private String defaultRuntime(EngineKind kind) {
    if (kind == EngineKind.EMBEDDING) {
      return plugins.findRuntime("embedding").isPresent() ? "embedding" : "vllm";
    }
    return "vllm";
  }

  /** Registers an engine that runs elsewhere; it is STARTING until its first good probe. */
  public EngineEntry register(RegisterRequest request, String actor) {
    try {
      SpecValidator v = new SpecValidator();
      v.modelName("model", request.model(), true);
      v.label(request.label());
      EngineKind kind = EngineKind.LLM;
      try {
        kind =
            request.engineKind() == null ? EngineKind.LLM : EngineKind.parse(request.engineKind());
      } catch (SageException e) {
        v.check(false, e.getMessage());
      }
      String baseUrl = checkRemoteUrl(request.baseUrl(), v);
      v.check(
          request.apiKey() == null
              || (request.apiKey().length() <= 512 && !SpecValidator.hasControl(request.apiKey())),
          "api_key must be a printable string of at most 512 characters");
      v.throwIfInvalid();
      EngineSpec spec =
          new EngineSpec(
              request.model(),
              request.model(),
              kind,
              "remote",
              null,
              1,
              List.of(),
              false,
              request.label(),
              List.of(),
              Map.of());
      Instant now = registry.clock().instant();
      URI uri = URI.create(baseUrl);
      String id = EngineIds.next();
      EngineRecord record =
          new EngineRecord(
              id,
              spec,
              EngineState.STARTING,
              DesiredState.RUNNING,
              uri.getHost(),
              uri.getPort() == -1 ? null : uri.getPort(),
              baseUrl,
              null,
              null,
              null,
              List.of(),
              0,
              request.apiKey() == null ? "" : request.apiKey(),
              now,
              now,
              now,
              null,
              0,
              0,
              null);
      EngineEntry entry =
          registry.create(record, "remote engine registered by " + actor + " at " + baseUrl);
      supervisor.launchAsync(entry);
      audit(actor, "engine.register", id, "accepted", "remote " + spec.model() + " at " + baseUrl);
      return entry;
    } catch (SageException e) {
      audit(actor, "engine.register", null, "error", e.getMessage());
      throw e;
    }
  }

  private String checkRemoteUrl(String raw, SpecValidator v) {
    if (raw == null || raw.isBlank()) {
      v.check(false, "base_url is required");
      return "";
    }
    URI uri;
    try {
      uri = new URI(raw.trim());
    } catch (Exception e) {
      v.check(false, "base_url is not a valid URL");
      return "";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    v.check(
        scheme.equals("http") || scheme.equals("https"), "base_url must be an http or https URL");
    v.check(uri.getHost() != null && !uri.getHost().isBlank(), "base_url must name a host");
    v.check(uri.getUserInfo() == null, "base_url must not carry credentials; pass api_key instead");
    v.check(
        uri.getQuery() == null && uri.getFragment() == null,
        "base_url must not have a query or fragment");
    if (uri.getHost() != null) {
      int port = uri.getPort() == -1 ? ("https".equals(scheme) ? 443 : 80) : uri.getPort();
      v.check(
          !gatewayAddresses.contains(uri.getHost().toLowerCase(Locale.ROOT) + ":" + port),
          "base_url points at this gateway itself");
    }
    String text = uri.toString();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.endsWith("/v1")) {
      text = text.substring(0, text.length() - 3);
    }
    return text;
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
      CompletableFuture<EngineRecord> stopped = supervisor.stop(entry, drain, drainTimeout, actor);
      audit(
          actor,
          "engine.stop",
          id,
          "accepted",
          drain ? "drain, timeout " + drainTimeout.toSeconds() + " s" : "no drain");
      return stopped;
    } catch (SageException e) {
      audit(actor, "engine.stop", id, "error", e.getMessage());
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
      boolean placed = false;
      if (entry.state() == EngineState.STOPPED && placesGpus(entry.record())) {
        GpuRequest gpuRequest = gpuRequest(entry.record().spec());
        List<Integer> gpuIds = placeGpus(id, "engine " + id, gpuRequest);
        placed = true;
        registry.update(
            entry,
            r ->
                r.withPlacement(
                    r.port(),
                    r.baseUrl(),
                    gpuIds,
                    gpuRequest.need().perGpuMib(),
                    registry.clock().instant()));
      }
      EngineRecord record;
      try {
        record = supervisor.restart(entry, actor);
      } catch (RuntimeException e) {
        if (placed && entry.state() == EngineState.STOPPED) {
          reservations.release(id);
        }
        throw e;
      }
      audit(actor, "engine.restart", id, "accepted", null);
      return record;
    } catch (SageException e) {
      audit(actor, "engine.restart", id, "error", e.getMessage());
      throw e;
    }
  }

  /** Forgets a STOPPED or ERROR engine; its events stay. */
  public void purge(String id, String actor) {
    try {
      EngineEntry entry = registry.require(id);
      EngineState state = entry.state();
      if (state != EngineState.STOPPED && state != EngineState.ERROR) {
        throw new SageException(
            ErrorCode.ILLEGAL_STATE,
            "cannot remove engine " + id + ": it is " + state + "; stop it first",
            "state");
      }
      if (state == EngineState.ERROR) {
        supervisor.stop(entry, false, Duration.ZERO, actor).join();
      }
      registry.remove(entry);
      reservations.release(id);
      if (entry.record().port() != null && !entry.record().isRemote()) {
        ports.release(id, entry.record().port());
      }
      audit(actor, "engine.remove", id, "ok", "purged");
    } catch (SageException e) {
      audit(actor, "engine.remove", id, "error", e.getMessage());
      throw e;
    }
  }

  public List<EngineEvent> events(String id, int limit) {
    registry.require(id);
    return registry.events(id, limit);
  }

  public List<AuditEntry> audit(AuditQuery query) {
    return registry.store().audit(query);
  }

  /** Writes an audit row; never fails the action it records. */
  public void audit(String actor, String action, String target, String outcome, String detail) {
    try {
      registry
          .store()
          .audit(
              new AuditEntry(
                  0, registry.clock().instant(), actor, action, target, outcome, detail));
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(EngineManager.class)
          .warn("audit write failed for {} {}", action, target, e);
    }
  }

  /** Option values with secrets masked, for display. */
  public Map<String, String> maskedOptions(EngineRecord record) {
    Set<String> secret =
        plugins
            .findRuntime(record.spec().runtime())
            .map(EngineRuntimeFactory::secretOptions)
            .orElse(Set.of());
    Map<String, String> shown = new java.util.TreeMap<>();
    for (Map.Entry<String, String> option : record.spec().options().entrySet()) {
      String key = option.getKey();
      boolean isSecret = secret.contains(key) || SECRET_NAME.matcher(key).find();
      shown.put(key, isSecret ? "****" : option.getValue());
    }
    return shown;
  }

  public List<EngineEntry> engines() {
    return new ArrayList<>(List.of(registry.all()));
  }

  public EngineEntry engine(String id) {
    return registry.require(id);
  }
}

package io.sage.host.management;

import io.sage.host.engine.HostOptions;
import io.sage.host.plugin.RuntimeCatalog;
import io.sage.host.supervision.RemoteJobSpecs;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * Turns a launch request into a spec its runtime accepted: the host's own checks first (names,
 * sizes, GPU ids, port, runtime, host options), every problem at once; then the runtime's; for a
 * job runtime also its inner runtime's and the scheduler's ({@link RemoteJobSpecs}).
 */
final class StartValidation {
  /** A request that passed every check, with the runtime that will launch it. */
  record Validated(EngineSpec spec, EngineRuntimeFactory runtime) {}

  private final RuntimeCatalog plugins;

  StartValidation(RuntimeCatalog plugins) {
    this.plugins = plugins;
  }

  /**
   * @throws SageException INVALID_REQUEST or INVALID_OPTION naming every problem
   */
  Validated validate(StartRequest request) {
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
    v.addAll(HostOptions.parse(request.options()).problems());
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
      // a job runtime: the inner runtime's part, then the scheduler itself (unknown partition...)
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
    return new Validated(spec, factory);
  }

  private String defaultRuntime(EngineKind kind) {
    if (kind == null) {
      return "vllm";
    }
    return switch (kind) {
      case EMBEDDING -> plugins.findRuntime("embedding").isPresent() ? "embedding" : "vllm";
      case LLM -> "vllm";
    };
  }
}

package io.sage.host.supervision;

import io.sage.host.plugin.RuntimeCatalog;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.job.RemoteJobs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks and splits the spec of an engine whose runtime runs it as a scheduler job: the scheduler's
 * own options stay with the job; the others, and the model, go to the inner runtime whose command
 * the job runs.
 */
public final class RemoteJobSpecs {
  private RemoteJobSpecs() {}

  /** The spec the inner runtime sees: its runtime kind, without the scheduler's options. */
  static EngineSpec innerSpec(RemoteJobs jobs, EngineSpec spec) {
    Map<String, String> options = new LinkedHashMap<>(spec.options());
    options.keySet().removeAll(jobs.schedulerOptions());
    return new EngineSpec(
        spec.model(),
        spec.servedModelName(),
        spec.kind(),
        jobs.innerRuntime(spec),
        spec.requestedPort(),
        spec.tensorParallelSize(),
        List.of(),
        spec.useGpu(),
        spec.label(),
        spec.extraArgs(),
        options);
  }

  /** The inner runtime's factory, or empty when it is not loaded (or is itself a job runtime). */
  static Optional<EngineRuntimeFactory> innerFactory(
      RuntimeCatalog plugins, RemoteJobs jobs, EngineSpec spec) {
    return plugins
        .findRuntime(jobs.innerRuntime(spec))
        .filter(inner -> inner.remoteJobs().isEmpty());
  }

  /**
   * Problems with a job runtime's spec beyond the factory's own checks: the inner runtime must be
   * loaded and accept its part, and the scheduler must accept the job (checked with it, without
   * submitting). Empty for runtimes that are not job runtimes. Called on a request thread after
   * {@code factory.validate(spec)} found nothing; may block for the scheduler's command timeout.
   */
  public static List<String> problems(
      RuntimeCatalog plugins, EngineRuntimeFactory factory, EngineSpec spec) {
    Optional<RemoteJobs> remote = factory.remoteJobs();
    if (remote.isEmpty()) {
      return List.of();
    }
    RemoteJobs jobs = remote.get();
    Optional<EngineRuntimeFactory> inner = innerFactory(plugins, jobs, spec);
    if (inner.isEmpty()) {
      return List.of(
          "inner_runtime '"
              + jobs.innerRuntime(spec)
              + "' is not a loaded runtime that launches a process; loaded runtimes: "
              + String.join(", ", plugins.runtimeKinds()));
    }
    EngineSpec innerSpec = innerSpec(jobs, spec);
    List<String> problems = new ArrayList<>();
    if (!inner.get().engineKinds().contains(spec.kind())) {
      problems.add(
          "inner_runtime '"
              + innerSpec.runtime()
              + "' cannot serve engine_kind "
              + spec.kind().wireName());
    }
    for (String p : inner.get().validate(innerSpec)) {
      problems.add("inner runtime " + innerSpec.runtime() + ": " + p);
    }
    if (problems.isEmpty()) {
      problems.addAll(jobs.checkWithScheduler(spec));
    }
    return problems;
  }
}

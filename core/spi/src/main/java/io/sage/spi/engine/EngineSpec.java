package io.sage.spi.engine;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an operator asked for when launching an engine. Values are already syntactically valid (the
 * host checks names, ports and sizes); runtimes check what is specific to them.
 *
 * @param model the model id or local path the engine loads
 * @param servedModelName the name clients use in {@code model}; defaults to {@code model}
 * @param kind llm or embedding
 * @param runtime the runtime kind ({@code mock}, {@code vllm}, {@code embedding}, ...)
 * @param requestedPort the port asked for, or {@code null} to let the host choose
 * @param tensorParallelSize GPUs the engine spans (1 or more)
 * @param requestedGpuIds explicit GPU indexes, or empty to let placement choose
 * @param useGpu false for an engine that must run without GPUs
 * @param label free text for people, or {@code null}
 * @param extraArgs extra command-line arguments, checked by the runtime's allow-list
 * @param options runtime options as strings; each runtime parses its own
 */
public record EngineSpec(
    String model,
    String servedModelName,
    EngineKind kind,
    String runtime,
    Integer requestedPort,
    int tensorParallelSize,
    List<Integer> requestedGpuIds,
    boolean useGpu,
    String label,
    List<String> extraArgs,
    Map<String, String> options) {

  public EngineSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(runtime, "runtime");
    if (servedModelName == null || servedModelName.isBlank()) {
      servedModelName = model;
    }
    if (tensorParallelSize < 1) {
      throw new IllegalArgumentException("tensorParallelSize must be at least 1");
    }
    requestedGpuIds = requestedGpuIds == null ? List.of() : List.copyOf(requestedGpuIds);
    extraArgs = extraArgs == null ? List.of() : List.copyOf(extraArgs);
    options = options == null ? Map.of() : Map.copyOf(options);
  }

  /** The option's value, or {@code fallback} when absent. */
  public String option(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }
}

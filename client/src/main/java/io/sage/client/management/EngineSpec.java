package io.sage.client.management;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to launch: the body of {@code POST /v1/management/engines}. Only {@code model} is required;
 * every other field is left out of the body when null so the gateway applies its own default.
 *
 * @param engineKind {@code llm} or {@code embedding}
 * @param runtime the runtime plugin ({@code vllm}, {@code embedding}, {@code mock}); null lets the
 *     gateway choose by engine kind
 * @param options runtime options; values are strings, numbers or booleans
 */
public record EngineSpec(
    String model,
    String engineKind,
    String runtime,
    Integer port,
    Integer tensorParallelSize,
    List<Integer> gpuIds,
    Boolean useGpu,
    String servedModelName,
    String label,
    List<String> extraArgs,
    Map<String, Object> options) {

  public EngineSpec {
    Objects.requireNonNull(model, "model");
    if (model.isBlank()) {
      throw new IllegalArgumentException("engine model must not be blank");
    }
    if (engineKind != null && !engineKind.equals("llm") && !engineKind.equals("embedding")) {
      throw new IllegalArgumentException(
          "engine kind must be llm or embedding, got '" + engineKind + "'");
    }
    if (tensorParallelSize != null && tensorParallelSize < 1) {
      throw new IllegalArgumentException(
          "tensor parallel size must be >= 1, got " + tensorParallelSize);
    }
    if (port != null && (port < 1 || port > 65535)) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
    gpuIds = gpuIds == null ? null : List.copyOf(gpuIds);
    extraArgs = extraArgs == null ? null : List.copyOf(extraArgs);
    options = options == null ? null : Map.copyOf(options);
  }

  public static Builder builder(String model) {
    return new Builder(model);
  }

  /** The start body: snake_case names, nulls left out. */
  public Map<String, Object> toBody() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", model);
    putIfPresent(body, "engine_kind", engineKind);
    putIfPresent(body, "runtime", runtime);
    putIfPresent(body, "port", port);
    putIfPresent(body, "tensor_parallel_size", tensorParallelSize);
    putIfPresent(body, "gpu_ids", gpuIds);
    putIfPresent(body, "use_gpu", useGpu);
    putIfPresent(body, "served_model_name", servedModelName);
    putIfPresent(body, "label", label);
    putIfPresent(body, "extra_args", extraArgs);
    putIfPresent(body, "options", options);
    return body;
  }

  private static void putIfPresent(Map<String, Object> body, String name, Object value) {
    if (value != null) {
      body.put(name, value);
    }
  }

  /** Builds an {@link EngineSpec}. */
  public static final class Builder {
    private final String model;
    private String engineKind;
    private String runtime;
    private Integer port;
    private Integer tensorParallelSize;
    private List<Integer> gpuIds;
    private Boolean useGpu;
    private String servedModelName;
    private String label;
    private List<String> extraArgs;
    private final Map<String, Object> options = new LinkedHashMap<>();

    private Builder(String model) {
      this.model = model;
    }

    public Builder engineKind(String engineKind) {
      this.engineKind = engineKind;
      return this;
    }

    public Builder runtime(String runtime) {
      this.runtime = runtime;
      return this;
    }

    public Builder port(Integer port) {
      this.port = port;
      return this;
    }

    public Builder tensorParallelSize(Integer size) {
      this.tensorParallelSize = size;
      return this;
    }

    public Builder gpuIds(List<Integer> gpuIds) {
      this.gpuIds = gpuIds;
      return this;
    }

    public Builder useGpu(Boolean useGpu) {
      this.useGpu = useGpu;
      return this;
    }

    public Builder servedModelName(String name) {
      this.servedModelName = name;
      return this;
    }

    public Builder label(String label) {
      this.label = label;
      return this;
    }

    public Builder extraArgs(List<String> extraArgs) {
      this.extraArgs = extraArgs;
      return this;
    }

    /** A runtime option (string, number or boolean), e.g. {@code latency_ms} for the mock. */
    public Builder option(String name, Object value) {
      options.put(Objects.requireNonNull(name, "option name"), Objects.requireNonNull(value, name));
      return this;
    }

    public Builder options(Map<String, ?> values) {
      values.forEach(this::option);
      return this;
    }

    public EngineSpec build() {
      return new EngineSpec(
          model,
          engineKind,
          runtime,
          port,
          tensorParallelSize,
          gpuIds,
          useGpu,
          servedModelName,
          label,
          extraArgs,
          options.isEmpty() ? null : options);
    }
  }
}

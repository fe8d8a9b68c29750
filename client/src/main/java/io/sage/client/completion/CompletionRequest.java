package io.sage.client.completion;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A text completion request ({@code POST /v1/completions}). Optional fields are sent exactly as
 * given (temperature 0 stays 0) and left out when {@code null}.
 *
 * @param model the model to route to; {@code null} lets the client pick its default
 * @param extra further request fields passed through unchanged
 */
public record CompletionRequest(
    String model,
    String prompt,
    Double temperature,
    Double topP,
    Integer maxTokens,
    List<String> stop,
    Long seed,
    Map<String, Object> extra) {

  public CompletionRequest {
    Objects.requireNonNull(prompt, "prompt");
    stop = stop == null ? null : List.copyOf(stop);
    extra = extra == null ? Map.of() : Map.copyOf(extra);
    if (maxTokens != null && maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
  }

  public static CompletionRequest of(String prompt) {
    return builder().prompt(prompt).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public CompletionRequest withModel(String newModel) {
    return new CompletionRequest(newModel, prompt, temperature, topP, maxTokens, stop, seed, extra);
  }

  /** The JSON body, fields in OpenAI names, nulls left out. */
  public Map<String, Object> toBody() {
    Map<String, Object> body = new LinkedHashMap<>(extra);
    body.put("model", Objects.requireNonNull(model, "model"));
    body.put("prompt", prompt);
    putIfPresent(body, "temperature", temperature);
    putIfPresent(body, "top_p", topP);
    putIfPresent(body, "max_tokens", maxTokens);
    putIfPresent(body, "stop", stop);
    putIfPresent(body, "seed", seed);
    return body;
  }

  private static void putIfPresent(Map<String, Object> body, String name, Object value) {
    if (value != null) {
      body.put(name, value);
    }
  }

  /** Builds a {@link CompletionRequest}; only the prompt is required. */
  public static final class Builder {
    private String model;
    private String prompt;
    private Double temperature;
    private Double topP;
    private Integer maxTokens;
    private List<String> stop;
    private Long seed;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private Builder() {}

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder prompt(String prompt) {
      this.prompt = prompt;
      return this;
    }

    public Builder temperature(Double temperature) {
      this.temperature = temperature;
      return this;
    }

    public Builder topP(Double topP) {
      this.topP = topP;
      return this;
    }

    public Builder maxTokens(Integer maxTokens) {
      this.maxTokens = maxTokens;
      return this;
    }

    public Builder stop(List<String> stop) {
      this.stop = stop;
      return this;
    }

    public Builder seed(Long seed) {
      this.seed = seed;
      return this;
    }

    public Builder extra(String name, Object value) {
      extra.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    public CompletionRequest build() {
      return new CompletionRequest(model, prompt, temperature, topP, maxTokens, stop, seed, extra);
    }
  }
}

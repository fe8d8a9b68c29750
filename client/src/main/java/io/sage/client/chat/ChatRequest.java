package io.sage.client.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chat completion request. Every optional field is sent exactly as given and left out when {@code
 * null}: a temperature of 0 is sent as 0, never replaced by a default.
 *
 * @param model the model to route to; {@code null} lets the client pick its default
 * @param sessionId the gateway's {@code session_id} extension (stored conversation), or null
 * @param extra further request fields passed through unchanged (e.g. {@code "logprobs"})
 */
public record ChatRequest(
    String model,
    List<ChatMessage> messages,
    Double temperature,
    Double topP,
    Integer maxTokens,
    List<String> stop,
    Long seed,
    String sessionId,
    Map<String, Object> extra) {

  public ChatRequest {
    Objects.requireNonNull(messages, "messages");
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a chat request needs at least one message");
    }
    messages = List.copyOf(messages);
    stop = stop == null ? null : List.copyOf(stop);
    extra = extra == null ? Map.of() : Map.copyOf(extra);
    if (maxTokens != null && maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
  }

  public static ChatRequest of(List<ChatMessage> messages) {
    return builder().messages(messages).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The same request for another model (the client fills in its default this way). */
  public ChatRequest withModel(String newModel) {
    return new ChatRequest(
        newModel, messages, temperature, topP, maxTokens, stop, seed, sessionId, extra);
  }

  /** The JSON body, fields in OpenAI names, nulls left out. */
  public Map<String, Object> toBody(boolean stream) {
    Map<String, Object> body = new LinkedHashMap<>(extra);
    body.put("model", Objects.requireNonNull(model, "model"));
    List<Map<String, String>> turns = new ArrayList<>();
    for (ChatMessage message : messages) {
      turns.add(Map.of("role", message.role(), "content", message.content()));
    }
    body.put("messages", turns);
    putIfPresent(body, "temperature", temperature);
    putIfPresent(body, "top_p", topP);
    putIfPresent(body, "max_tokens", maxTokens);
    putIfPresent(body, "stop", stop);
    putIfPresent(body, "seed", seed);
    putIfPresent(body, "session_id", sessionId);
    if (stream) {
      body.put("stream", true);
    }
    return body;
  }

  private static void putIfPresent(Map<String, Object> body, String name, Object value) {
    if (value != null) {
      body.put(name, value);
    }
  }

  /** Builds a {@link ChatRequest}; only the messages are required. */
  public static final class Builder {
    private String model;
    private final List<ChatMessage> messages = new ArrayList<>();
    private Double temperature;
    private Double topP;
    private Integer maxTokens;
    private List<String> stop;
    private Long seed;
    private String sessionId;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private Builder() {}

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder message(ChatMessage message) {
      messages.add(Objects.requireNonNull(message, "message"));
      return this;
    }

    public Builder messages(List<ChatMessage> messages) {
      this.messages.addAll(messages);
      return this;
    }

    public Builder system(String content) {
      return message(ChatMessage.system(content));
    }

    public Builder user(String content) {
      return message(ChatMessage.user(content));
    }

    public Builder assistant(String content) {
      return message(ChatMessage.assistant(content));
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

    public Builder sessionId(String sessionId) {
      this.sessionId = sessionId;
      return this;
    }

    /** A request field this builder has no method for, sent unchanged. */
    public Builder extra(String name, Object value) {
      extra.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    public ChatRequest build() {
      return new ChatRequest(
          model, messages, temperature, topP, maxTokens, stop, seed, sessionId, extra);
    }
  }
}

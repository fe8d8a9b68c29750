package io.sage.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.chat.ChatMessage;
import io.sage.client.chat.ChatRequest;
import io.sage.client.chat.ChatResult;
import io.sage.client.completion.CompletionRequest;
import io.sage.client.completion.CompletionResult;
import io.sage.client.embedding.EmbeddingRequest;
import io.sage.client.embedding.EmbeddingResult;
import io.sage.client.management.ManagementClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Talks to one SAGE gateway, or fails over across several: chat, streaming chat, completions,
 * embeddings, the model list, and the management API through {@link #management()}.
 *
 * <pre>{@code
 * UnifiedInferenceClient client = UnifiedInferenceClient.create("http://localhost:8000/v1");
 * String answer = client.chat(List.of(ChatMessage.user("Hi"))).content();
 * }</pre>
 *
 * <p>A request without a model uses the configured default, else the first model of the right kind
 * that {@code GET /v1/models} lists. The model is chosen once, before sending, so a retry or a
 * failover to another gateway URL sends the same model. Instances are thread-safe.
 */
public final class UnifiedInferenceClient {

  private final GatewayTransport transport;
  private final ModelCatalog catalog;
  private final String defaultChatModel;
  private final String defaultEmbeddingModel;
  private final ManagementClient management;

  private UnifiedInferenceClient(Builder builder) {
    List<URI> gateways = builder.urls.stream().map(GatewayTransport::gatewayRoot).toList();
    this.transport =
        new GatewayTransport(
            gateways,
            builder.apiKey,
            builder.connectTimeout,
            builder.requestTimeout,
            new RetryPolicy(builder.maxRetries, builder.initialBackoff, builder.maxRetryWait));
    this.catalog = new ModelCatalog(transport, builder.modelCacheTtl, Clock.systemUTC());
    this.defaultChatModel = builder.defaultChatModel;
    this.defaultEmbeddingModel = builder.defaultEmbeddingModel;
    this.management = new ManagementClient(transport, builder.pollInterval);
  }

  /** A client for one gateway; the URL may end in {@code /v1} or not. */
  public static UnifiedInferenceClient create(String controlPlaneUrl) {
    return builder().baseUrl(controlPlaneUrl).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A client configured from the environment: {@code SAGE_GATEWAY_URL} (one URL, or several
   * separated by commas for failover; default {@value #DEFAULT_URL}) and {@code SAGE_API_KEY} (no
   * key when unset), the same variables the {@code sage} CLI reads.
   */
  public static UnifiedInferenceClient fromEnv() {
    return fromEnv(System.getenv()).build();
  }

  /** A builder preset from {@code env} (see {@link #fromEnv()}); tune it further before build. */
  public static Builder fromEnv(java.util.Map<String, String> env) {
    Builder builder = builder();
    String urls = env.get(ENV_URL);
    if (urls == null || urls.isBlank()) {
      builder.baseUrl(DEFAULT_URL);
    } else {
      for (String url : urls.split(",")) {
        if (!url.isBlank()) {
          builder.baseUrl(url.trim());
        }
      }
    }
    String key = env.get(ENV_KEY);
    if (key != null && !key.isBlank()) {
      builder.apiKey(key.trim());
    }
    return builder;
  }

  /** The environment variable naming the gateway URL(s). */
  public static final String ENV_URL = "SAGE_GATEWAY_URL";

  /** The environment variable holding the API key. */
  public static final String ENV_KEY = "SAGE_API_KEY";

  /** The gateway a client from the environment talks to when {@code SAGE_GATEWAY_URL} is unset. */
  public static final String DEFAULT_URL = "http://127.0.0.1:8000";

  public ChatResult chat(List<ChatMessage> messages) {
    return chat(ChatRequest.of(messages));
  }

  public ChatResult chat(ChatRequest request) {
    ChatRequest routed = request.withModel(chatModel(request.model()));
    GatewayTransport.Answer answer =
        transport.answer("POST", "/v1/chat/completions", routed.toBody(false));
    return ChatResult.fromJson(answer.json(), answer.engineId());
  }

  /**
   * Streams the content deltas of a chat answer as the engine produces them. Close the stream
   * (try-with-resources) to stop early: that closes the HTTP connection and so cancels generation.
   * A stream that ends with an error event throws {@link SageClientException} with the gateway's
   * message when that point is reached.
   */
  public Stream<String> streamChat(ChatRequest request) {
    ChatRequest routed = request.withModel(chatModel(request.model()));
    return transport
        .events("/v1/chat/completions", routed.toBody(true))
        .map(ChatResult::deltaContent)
        .filter(delta -> !delta.isEmpty());
  }

  /** Streams the raw chunks ({@code chat.completion.chunk} JSON), for finish reasons and roles. */
  public Stream<JsonNode> streamChatChunks(ChatRequest request) {
    ChatRequest routed = request.withModel(chatModel(request.model()));
    return transport.events("/v1/chat/completions", routed.toBody(true));
  }

  public CompletionResult complete(String prompt) {
    return complete(CompletionRequest.of(prompt));
  }

  public CompletionResult complete(CompletionRequest request) {
    CompletionRequest routed = request.withModel(chatModel(request.model()));
    GatewayTransport.Answer answer = transport.answer("POST", "/v1/completions", routed.toBody());
    return CompletionResult.fromJson(answer.json(), answer.engineId());
  }

  /** One vector per text, in input order. */
  public List<float[]> embed(List<String> texts) {
    return embed(EmbeddingRequest.of(texts)).vectors();
  }

  public float[] embed(String text) {
    return embed(List.of(text)).get(0);
  }

  public EmbeddingResult embed(EmbeddingRequest request) {
    EmbeddingRequest routed = request.withModel(embeddingModel(request.model()));
    GatewayTransport.Answer answer = transport.answer("POST", "/v1/embeddings", routed.toBody());
    try {
      return EmbeddingResult.fromJson(answer.json(), routed.input().size(), answer.engineId());
    } catch (IllegalArgumentException malformed) {
      throw new SageClientException(
          0,
          "api_error",
          "bad_embedding_answer",
          null,
          malformed.getMessage(),
          answer.engineId(),
          "POST /v1/embeddings",
          malformed);
    }
  }

  /** The ids of the models the gateway serves. */
  public List<String> models() {
    return modelInfos().stream().map(ModelInfo::id).toList();
  }

  /** The gateway's model list with engine kinds (always fetched fresh). */
  public List<ModelInfo> modelInfos() {
    return catalog.fetch();
  }

  public ManagementClient management() {
    return management;
  }

  /** The low-level transport, for routes this client has no method for. */
  public GatewayTransport transport() {
    return transport;
  }

  private String chatModel(String requested) {
    if (requested != null) {
      return requested;
    }
    return defaultChatModel != null ? defaultChatModel : catalog.first("llm", ModelInfo::isLlm);
  }

  private String embeddingModel(String requested) {
    if (requested != null) {
      return requested;
    }
    return defaultEmbeddingModel != null
        ? defaultEmbeddingModel
        : catalog.first("embedding", ModelInfo::isEmbedding);
  }

  /** Configures a client; at least one gateway URL is required. */
  public static final class Builder {
    private final List<String> urls = new ArrayList<>();
    private String apiKey;
    private String defaultChatModel;
    private String defaultEmbeddingModel;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofMinutes(5);
    private int maxRetries = RetryPolicy.DEFAULT.maxRetries();
    private Duration initialBackoff = RetryPolicy.DEFAULT.initialBackoff();
    private Duration maxRetryWait = RetryPolicy.DEFAULT.maxWait();
    private Duration modelCacheTtl = Duration.ofSeconds(30);
    private Duration pollInterval = Duration.ofMillis(500);

    private Builder() {}

    /** Adds a gateway URL (with or without {@code /v1}); later ones are failover targets. */
    public Builder baseUrl(String url) {
      urls.add(Objects.requireNonNull(url, "url"));
      return this;
    }

    public Builder baseUrls(List<String> urls) {
      urls.forEach(this::baseUrl);
      return this;
    }

    /** Sent as {@code Authorization: Bearer <key>} on every request. */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    public Builder defaultChatModel(String model) {
      this.defaultChatModel = model;
      return this;
    }

    public Builder defaultEmbeddingModel(String model) {
      this.defaultEmbeddingModel = model;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
      return this;
    }

    /** Time allowed until the answer's headers arrive (a stream may then run longer). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "requestTimeout");
      return this;
    }

    /** Repeats per gateway URL for 503, and passes over all URLs when none connects. */
    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    public Builder initialBackoff(Duration backoff) {
      this.initialBackoff = Objects.requireNonNull(backoff, "initialBackoff");
      return this;
    }

    /** Cap on one wait between repeats, {@code Retry-After} included. */
    public Builder maxRetryWait(Duration maxWait) {
      this.maxRetryWait = Objects.requireNonNull(maxWait, "maxRetryWait");
      return this;
    }

    /** How long the model list used for default models is reused. */
    public Builder modelCacheTtl(Duration ttl) {
      this.modelCacheTtl = Objects.requireNonNull(ttl, "modelCacheTtl");
      return this;
    }

    /** How often {@code awaitReady} polls an engine's state. */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = Objects.requireNonNull(interval, "pollInterval");
      return this;
    }

    public UnifiedInferenceClient build() {
      if (urls.isEmpty()) {
        throw new IllegalStateException("at least one gateway URL is needed (baseUrl)");
      }
      return new UnifiedInferenceClient(this);
    }
  }
}

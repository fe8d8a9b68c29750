package io.sage.gateway.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.scheduling.TaskExecutors;
import io.sage.db.session.JdbcSessionStore;
import io.sage.db.session.SessionMessage;
import io.sage.gateway.errors.OpenAiError;
import io.sage.gateway.openai.EngineProxy;
import io.sage.gateway.openai.InferenceRequest;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * Chat completions on a session: the extension field {@code session_id} (or the header {@value
 * #HEADER}) names the session; its stored history is put in front of the request's messages, the
 * field is removed, the request is proxied, and a {@link ReplyRecorder} stores the turn when the
 * response ends. Requests naming no session are forwarded as they came.
 */
@Singleton
public final class SessionChat {
  public static final String HEADER = "x-sage-session-id";
  static final String FIELD = "session_id";
  private static final String PATH = "/v1/chat/completions";
  private static final byte[] FIELD_BYTES =
      ("\"" + FIELD + "\"").getBytes(StandardCharsets.US_ASCII);

  private final EngineProxy proxy;
  private final JdbcSessionStore store;
  private final SessionSequencer sequencer;
  private final ExecutorService blocking;
  private final SessionLimits limits;
  private final long maxRequestBytes;

  SessionChat(
      EngineProxy proxy,
      JdbcSessionStore store,
      SessionSequencer sequencer,
      @Named(TaskExecutors.BLOCKING) ExecutorService blocking,
      SessionLimits limits,
      HttpServerConfiguration server) {
    this.proxy = proxy;
    this.store = store;
    this.sequencer = sequencer;
    this.blocking = blocking;
    this.limits = limits;
    this.maxRequestBytes = server.getMaxRequestSize();
  }

  /**
   * Whether the request may name a session: the header is set, or the body's bytes contain {@code
   * "session_id"}. A byte search, not a parse, so other requests cost nothing.
   */
  public boolean applies(HttpRequest<?> request, byte[] body) {
    return request.getHeaders().contains(HEADER) || (body != null && contains(body, FIELD_BYTES));
  }

  /** Proxies a chat completion that may name a session (see {@link #applies}). */
  public CompletableFuture<HttpResponse<?>> chat(HttpRequest<?> request, byte[] body) {
    ObjectNode json;
    String sessionId;
    try {
      json = parse(body);
      sessionId = sessionId(request, json);
    } catch (SageException e) {
      return CompletableFuture.completedFuture(OpenAiError.response(e));
    }
    if (sessionId == null) {
      // "session_id" was only text inside the body: the request is an ordinary one
      return proxy.forward(
          request, body, InferenceRequest.inspect(body), EngineKind.LLM, PATH, null);
    }
    SessionCaller caller = SessionCaller.of(request);
    Instant arrived = Instant.now();
    return CompletableFuture.supplyAsync(() -> prepare(caller, sessionId, json, arrived), blocking)
        .thenCompose(
            prepared ->
                proxy.forward(
                    request,
                    prepared.body(),
                    InferenceRequest.inspect(prepared.body()),
                    EngineKind.LLM,
                    PATH,
                    new ReplyRecorder(prepared.turn(), store, blocking)))
        .handle(
            (response, error) -> {
              if (error == null) {
                return response;
              }
              Throwable cause =
                  error instanceof CompletionException && error.getCause() != null
                      ? error.getCause()
                      : error;
              if (cause instanceof SageException e) {
                return OpenAiError.response(e);
              }
              throw error instanceof CompletionException c ? c : new CompletionException(error);
            });
  }

  private record Prepared(byte[] body, SessionTurn turn) {}

  /** Runs off the event loop: reads the session, reserves seqs, rewrites the body. */
  private Prepared prepare(
      SessionCaller caller, String sessionId, ObjectNode json, Instant arrived) {
    store
        .find(sessionId)
        .filter(caller::sees)
        .orElseThrow(() -> SessionService.notFound(sessionId));
    ArrayNode requestMessages = (ArrayNode) json.get("messages");
    List<SessionTurn.UserTurn> userTurns = new ArrayList<>();
    String title = null;
    for (JsonNode message : requestMessages) {
      if ("user".equals(message.path("role").asText())) {
        JsonNode content = message.get("content");
        long bytes = StoredContent.text(content).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxMessageBytes()) {
          throw new SageException(
              ErrorCode.PAYLOAD_TOO_LARGE,
              "a user message of "
                  + bytes
                  + " bytes is larger than a session stores (sage.sessions.max-message-bytes = "
                  + limits.maxMessageBytes()
                  + "); send it without a session",
              "messages");
        }
        userTurns.add(
            new SessionTurn.UserTurn(StoredContent.text(content), StoredContent.isJson(content)));
        if (title == null) {
          title = SessionTitles.derive(StoredContent.plain(content));
        }
      }
    }
    List<SessionMessage> history =
        newestWithin(store.history(sessionId, limits.maxHistoryTurns()), limits.maxHistoryBytes());
    byte[] rebuilt = rewrite(json, requestMessages, history);
    if (rebuilt.length > maxRequestBytes) {
      throw new SageException(
          ErrorCode.PAYLOAD_TOO_LARGE,
          "the request with the session's history is "
              + rebuilt.length
              + " bytes, more than the gateway's request limit of "
              + maxRequestBytes
              + "; lower sage.sessions.max-history-bytes or start a new session",
          "messages");
    }
    long firstSeq =
        sequencer.reserve(sessionId, userTurns.size() + 1, () -> store.maxSeq(sessionId));
    SessionTurn turn = new SessionTurn(sessionId, userTurns, firstSeq, arrived, title);
    return new Prepared(rebuilt, turn);
  }

  /** The newest messages (oldest first) whose contents fit in {@code maxBytes}. */
  static List<SessionMessage> newestWithin(List<SessionMessage> history, long maxBytes) {
    long total = 0;
    int first = history.size();
    while (first > 0) {
      long bytes = history.get(first - 1).content().getBytes(StandardCharsets.UTF_8).length;
      if (total + bytes > maxBytes) {
        break;
      }
      total += bytes;
      first--;
    }
    return history.subList(first, history.size());
  }

  /**
   * The body the engine gets: {@code session_id} removed; messages = the request's leading system
   * messages, then the history, then the rest of the request's messages.
   */
  static byte[] rewrite(ObjectNode json, ArrayNode requestMessages, List<SessionMessage> history) {
    ObjectNode out = json.deepCopy();
    out.remove(FIELD);
    ArrayNode messages = out.putArray("messages");
    int i = 0;
    while (i < requestMessages.size()
        && "system".equals(requestMessages.get(i).path("role").asText())) {
      messages.add(requestMessages.get(i));
      i++;
    }
    for (SessionMessage stored : history) {
      ObjectNode message = messages.addObject();
      message.put("role", stored.role());
      message.set("content", StoredContent.content(stored));
    }
    for (; i < requestMessages.size(); i++) {
      messages.add(requestMessages.get(i));
    }
    try {
      return StoredContent.JSON.writeValueAsBytes(out);
    } catch (JsonProcessingException e) {
      throw new SageException(
          ErrorCode.INTERNAL, "could not write the session request: " + e.getMessage());
    }
  }

  private static ObjectNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw SageException.invalid(
          null, "request body is empty; expected a JSON object with a 'model' field");
    }
    JsonNode tree;
    try {
      tree = StoredContent.JSON.readTree(body);
    } catch (java.io.IOException e) {
      String message =
          e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
      throw new SageException(
          ErrorCode.INVALID_REQUEST, "request body is not valid JSON: " + message, null);
    }
    if (!(tree instanceof ObjectNode object)) {
      throw SageException.invalid(null, "request body must be a JSON object");
    }
    return object;
  }

  /** The named session, or null when the request names none; checks the request's shape too. */
  private static String sessionId(HttpRequest<?> request, ObjectNode json) {
    String header = request.getHeaders().get(HEADER);
    JsonNode field = json.get(FIELD);
    if (field != null && !field.isNull() && !field.isTextual()) {
      throw SageException.invalid(FIELD, "'" + FIELD + "' must be a string");
    }
    String fromBody = field == null || field.isNull() ? null : field.asText();
    if (fromBody == null && header == null) {
      return null;
    }
    if (fromBody != null && header != null && !fromBody.equals(header.strip())) {
      throw SageException.invalid(
          FIELD, "'" + FIELD + "' and the " + HEADER + " header name different sessions");
    }
    String id = (fromBody != null ? fromBody : header).strip();
    if (id.isEmpty()) {
      throw SageException.invalid(FIELD, "the session id is empty");
    }
    JsonNode model = json.get("model");
    if (model == null || !model.isTextual() || model.asText().isBlank()) {
      throw SageException.invalid("model", "'model' is required");
    }
    JsonNode messages = json.get("messages");
    if (messages == null || !messages.isArray()) {
      throw SageException.invalid("messages", "'messages' must be an array of messages");
    }
    for (JsonNode message : messages) {
      if (!message.isObject() || !message.path("role").isTextual()) {
        throw SageException.invalid(
            "messages", "each message must be an object with a string 'role'");
      }
    }
    return id;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}

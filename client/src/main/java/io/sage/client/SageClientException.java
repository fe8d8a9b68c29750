package io.sage.client;

import java.util.Optional;

/**
 * The one exception the client throws for a failed call: an HTTP error answered by the gateway, a
 * connection failure, an error event inside a stream, or an engine that did not become ready.
 *
 * <p>{@link #status()} is the HTTP status of the answer that carried the error, or {@code 0} when
 * no HTTP status applies (the connection failed, a stream ended with an error event after a 200, a
 * wait timed out). {@link #type()}, {@link #code()} and {@link #param()} are the OpenAI error
 * fields as the gateway sent them; {@link #errorMessage()} is the gateway's own message, while
 * {@link #getMessage()} adds the request and status for logs.
 */
public class SageClientException extends RuntimeException {

  private final int status;
  private final String type;
  private final String code;
  private final String param;
  private final String errorMessage;
  private final String engineId;

  public SageClientException(
      int status,
      String type,
      String code,
      String param,
      String errorMessage,
      String engineId,
      String context,
      Throwable cause) {
    super(describe(status, type, code, errorMessage, engineId, context), cause);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.errorMessage = errorMessage == null ? "" : errorMessage;
    this.engineId = engineId;
  }

  /** A failure with no HTTP status: connection, stream or wait problems. */
  public SageClientException(String type, String code, String errorMessage, Throwable cause) {
    this(0, type, code, null, errorMessage, null, null, cause);
  }

  private static String describe(
      int status, String type, String code, String message, String engineId, String context) {
    StringBuilder text = new StringBuilder();
    if (context != null && !context.isEmpty()) {
      text.append(context).append(": ");
    }
    if (status > 0) {
      text.append("HTTP ").append(status).append(' ');
    }
    String kind = code != null ? code : type;
    if (kind != null) {
      text.append('(').append(kind).append(") ");
    }
    text.append(message == null ? "" : message);
    if (engineId != null) {
      text.append(" [engine ").append(engineId).append(']');
    }
    return text.toString().trim();
  }

  /** HTTP status of the failed answer, or 0 when the failure carried none. */
  public int status() {
    return status;
  }

  /** OpenAI error type, e.g. {@code invalid_request_error}; empty when the gateway sent none. */
  public Optional<String> type() {
    return Optional.ofNullable(type);
  }

  /** OpenAI error code, e.g. {@code model_not_found}; empty when the gateway sent none. */
  public Optional<String> code() {
    return Optional.ofNullable(code);
  }

  /** The request parameter the gateway blamed, if any. */
  public Optional<String> param() {
    return Optional.ofNullable(param);
  }

  /** The gateway's (or engine's) message, without the request context. */
  public String errorMessage() {
    return errorMessage;
  }

  /**
   * The engine that answered or failed, when known ({@code x-sage-engine-id} or the awaited
   * engine).
   */
  public Optional<String> engineId() {
    return Optional.ofNullable(engineId);
  }

  /** True when the same request may succeed later: no connection, or 503 (no capacity yet). */
  public boolean isRetryable() {
    return (status == 0 && "connection_error".equals(type)) || status == 503;
  }
}

package io.sage.spi;

import java.util.Locale;

/** Every error the gateway and its plugins report, each in one {@link ErrorCategory}. */
public enum ErrorCode {
  INVALID_REQUEST(ErrorCategory.USER_ERROR, "invalid_request_error"),
  INVALID_OPTION(ErrorCategory.USER_ERROR, "invalid_request_error"),
  PAYLOAD_TOO_LARGE(ErrorCategory.USER_ERROR, "invalid_request_error"),
  MODEL_NOT_FOUND(ErrorCategory.NOT_FOUND, "invalid_request_error"),
  NOT_FOUND(ErrorCategory.NOT_FOUND, "invalid_request_error"),
  ILLEGAL_STATE(ErrorCategory.CONFLICT, "conflict_error"),
  GPU_UNAVAILABLE(ErrorCategory.CONFLICT, "conflict_error"),
  PORT_IN_USE(ErrorCategory.CONFLICT, "conflict_error"),
  NO_READY_ENGINE(ErrorCategory.NO_CAPACITY, "service_unavailable_error"),
  /** The node that runs an engine (or was asked to run one) is lost or not there (cluster). */
  NODE_UNAVAILABLE(ErrorCategory.NO_CAPACITY, "service_unavailable_error"),
  ENGINE_UNREACHABLE(ErrorCategory.ENGINE_FAILURE, "engine_error"),
  ENGINE_TIMEOUT(ErrorCategory.ENGINE_TIMEOUT, "engine_error"),
  LAUNCH_FAILED(ErrorCategory.ENGINE_FAILURE, "engine_error"),
  PLUGIN_FAILURE(ErrorCategory.INTERNAL, "server_error"),
  INTERNAL(ErrorCategory.INTERNAL, "server_error");

  private final ErrorCategory category;
  private final String openAiType;

  ErrorCode(ErrorCategory category, String openAiType) {
    this.category = category;
    this.openAiType = openAiType;
  }

  public ErrorCategory category() {
    return category;
  }

  /** The {@code error.type} of the OpenAI error shape. */
  public String openAiType() {
    return openAiType;
  }

  /** The {@code error.code} of the OpenAI error shape: the constant's name in lower case. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

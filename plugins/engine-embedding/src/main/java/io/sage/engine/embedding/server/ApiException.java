package io.sage.engine.embedding.server;

/**
 * A request the engine refuses, answered with an OpenAI-shaped error: {@code {"error": {"message",
 * "type", "param", "code"}}}.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String type;
  private final String code;
  private final String param;

  public ApiException(int status, String type, String code, String param, String message) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }

  public static ApiException invalid(String param, String message) {
    return new ApiException(400, "invalid_request_error", "invalid_request", param, message);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String code() {
    return code;
  }

  public String param() {
    return param;
  }
}

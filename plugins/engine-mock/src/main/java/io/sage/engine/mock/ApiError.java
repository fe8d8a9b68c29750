package io.sage.engine.mock;

import java.nio.charset.StandardCharsets;

/**
 * An OpenAI-shaped error answer: {@code {"error": {"message", "type", "param", "code"}}}, thrown by
 * request handling and turned into a response by {@link MockRouter}.
 */
final class ApiError extends RuntimeException {
  private final int status;
  private final String type;
  private final String param;
  private final String code;

  private ApiError(int status, String type, String code, String param, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }

  static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", "invalid_request", param, message);
  }

  static ApiError internal(String message) {
    return new ApiError(500, "server_error", "internal", null, message);
  }

  static ApiError unauthorized() {
    return new ApiError(
        401,
        "invalid_request_error",
        "invalid_api_key",
        null,
        "Unauthorized: missing or wrong API key");
  }

  static ApiError modelNotFound(String model) {
    return new ApiError(
        404,
        "invalid_request_error",
        "model_not_found",
        "model",
        "The model `" + model + "` does not exist.");
  }

  static ApiError notFound(String path) {
    return new ApiError(404, "invalid_request_error", "not_found", null, "No route for " + path);
  }

  static ApiError methodNotAllowed(String method, String path) {
    return new ApiError(
        405,
        "invalid_request_error",
        "method_not_allowed",
        null,
        "Method " + method + " is not allowed on " + path);
  }

  static ApiError tooLarge(long limit) {
    return new ApiError(
        413,
        "invalid_request_error",
        "payload_too_large",
        null,
        "The request body exceeds " + limit + " bytes");
  }

  int status() {
    return status;
  }

  String param() {
    return param;
  }

  byte[] body() {
    StringBuilder out = new StringBuilder(128).append("{\"error\":{\"message\":");
    JsonText.quote(out, getMessage()).append(",\"type\":");
    JsonText.quote(out, type).append(",\"param\":");
    if (param == null) {
      out.append("null");
    } else {
      JsonText.quote(out, param);
    }
    out.append(",\"code\":");
    JsonText.quote(out, code).append("}}");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}

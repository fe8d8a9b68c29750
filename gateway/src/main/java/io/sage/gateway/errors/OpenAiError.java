package io.sage.gateway.errors;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the OpenAI error shape every route answers with: {@code {"error": {message, type, param,
 * code}}}.
 */
public final class OpenAiError {
  private OpenAiError() {}

  public static Map<String, Object> body(String message, String type, String param, String code) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    return Map.of("error", error);
  }

  public static MutableHttpResponse<Map<String, Object>> response(SageException e) {
    ErrorCode code = e.code();
    MutableHttpResponse<Map<String, Object>> response =
        HttpResponse.<Map<String, Object>>status(HttpStatus.valueOf(code.category().httpStatus()))
            .contentType(MediaType.APPLICATION_JSON_TYPE)
            .body(body(e.getMessage(), code.openAiType(), e.param(), code.wireName()));
    if (code == ErrorCode.NO_READY_ENGINE) {
      response.header("Retry-After", "5");
    }
    return response;
  }

  public static MutableHttpResponse<Map<String, Object>> response(
      int status, String message, String type, String code) {
    return HttpResponse.<Map<String, Object>>status(HttpStatus.valueOf(status))
        .contentType(MediaType.APPLICATION_JSON_TYPE)
        .body(body(message, type, null, code));
  }

  /** The JSON text of an error, for places that write bytes (SSE error events). */
  public static String json(String message, String type, String code) {
    return "{\"error\":{\"message\":"
        + quote(message)
        + ",\"type\":"
        + quote(type)
        + ",\"param\":null,\"code\":"
        + quote(code)
        + "}}";
  }

  static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}

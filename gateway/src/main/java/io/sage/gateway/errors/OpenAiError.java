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
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private OpenAiError() {}

  /** Longest message an error body carries: values echoed from requests are cut, not repeated. */
  static final int MAX_MESSAGE = 2048;

  public static Map<String, Object> body(String message, String type, String param, String code) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", message == null ? null : shorten(message, MAX_MESSAGE));
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
    if (e instanceof io.sage.host.models.ModelBusyException busy) {
      response.header("Retry-After", Long.toString(busy.retryAfterSeconds()));
    } else if (code == ErrorCode.NO_READY_ENGINE) {
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

  /**
   * {@code text} cut to at most {@code max} characters (plus a note of how much was left out), so a
   * 4 MB value echoed back or logged costs a few hundred bytes.
   */
  public static String shorten(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int cut = max;
    if (Character.isHighSurrogate(text.charAt(cut - 1))) {
      cut--;
    }
    return text.substring(0, cut) + "...(" + (text.length() - cut) + " more characters)";
  }

  /** The JSON text of an error, for places that write bytes (SSE error events). */
  public static String json(String message, String type, String code) {
    try {
      return JSON.writeValueAsString(body(message, type, null, code));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("an error body cannot be written as JSON", e);
    }
  }
}

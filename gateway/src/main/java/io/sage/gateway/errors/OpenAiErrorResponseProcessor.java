package io.sage.gateway.errors;

import io.micronaut.context.annotation.Primary;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Errors the framework raises itself (no such route, wrong method, body too large, unreadable body)
 * in the OpenAI shape, like every other error.
 */
@Singleton
@Primary
@Replaces(ErrorResponseProcessor.class)
final class OpenAiErrorResponseProcessor implements ErrorResponseProcessor<Map<String, Object>> {
  /** Why Netty could not decode the request's head, if it could not. */
  private static Throwable decoderFailure(io.micronaut.http.HttpRequest<?> request) {
    if (request instanceof NettyHttpRequest<?> netty) {
      DecoderResult result = netty.getNativeRequest().decoderResult();
      return result.isFailure() ? result.cause() : null;
    }
    return null;
  }

  @Override
  public MutableHttpResponse<Map<String, Object>> processResponse(
      ErrorContext context, MutableHttpResponse<?> response) {
    int status = response.getStatus().getCode();
    String message =
        context.getErrors().stream()
            .findFirst()
            .map(Error::getMessage)
            .orElse(response.getStatus().getReason());
    String code =
        switch (status) {
          case 404 -> "not_found";
          case 405 -> "method_not_allowed";
          case 413 -> "payload_too_large";
          case 415 -> "unsupported_media_type";
          default -> status >= 500 ? "internal" : "invalid_request";
        };
    if (status == 404) {
      message =
          "no route " + context.getRequest().getMethodName() + " " + context.getRequest().getPath();
    }
    if (status == 413) {
      message = "request body is larger than the gateway's limit";
      Throwable decoding = decoderFailure(context.getRequest());
      if (decoding instanceof TooLongHttpHeaderException) {
        response.status(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
        message = "request headers are larger than the gateway's limit";
        code = "headers_too_large";
      } else if (decoding instanceof TooLongHttpLineException) {
        response.status(HttpStatus.REQUEST_URI_TOO_LONG);
        message = "request line is longer than the gateway's limit";
        code = "uri_too_long";
      }
    }
    return response
        .contentType(MediaType.APPLICATION_JSON_TYPE)
        .body(
            OpenAiError.body(
                message, status >= 500 ? "server_error" : "invalid_request_error", null, code));
  }
}

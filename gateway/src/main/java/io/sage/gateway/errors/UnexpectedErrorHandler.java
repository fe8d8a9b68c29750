package io.sage.gateway.errors;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.exceptions.ContentLengthExceededException;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.HttpStatusHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line of defence: anything unexpected becomes an OpenAI-shaped error without a stack
 * trace for the client (the stack goes to the gateway log).
 */
@Produces
@Singleton
@Replaces(HttpStatusHandler.class)
final class UnexpectedErrorHandler implements ExceptionHandler<Exception, HttpResponse<?>> {
  private static final Logger LOG = LoggerFactory.getLogger(UnexpectedErrorHandler.class);

  @Override
  public HttpResponse<?> handle(HttpRequest request, Exception exception) {
    if (exception instanceof ContentLengthExceededException) {
      return OpenAiError.response(
          413,
          "request body is larger than the gateway's limit",
          "invalid_request_error",
          "payload_too_large");
    }
    if (exception instanceof HttpStatusException status) {
      int code = status.getStatus().getCode();
      return OpenAiError.response(
          code,
          String.valueOf(status.getMessage()),
          code >= 500 ? "server_error" : "invalid_request_error",
          status.getStatus().name().toLowerCase());
    }
    if (exception instanceof ConversionErrorException conversion) {
      return OpenAiError.response(
          400,
          "invalid value for '" + conversion.getArgument().getName() + "'",
          "invalid_request_error",
          "invalid_request");
    }
    String input = InputErrors.describe(exception);
    if (input != null) {
      // the client's bytes were bad (a body that does not decompress, a broken chunk): a 400, and
      // nothing worth more than a debug line
      LOG.debug("bad request body on {} {}: {}", request.getMethodName(), request.getPath(), input);
      return OpenAiError.response(400, input, "invalid_request_error", "invalid_request");
    }
    if (InputErrors.isDisconnect(exception)) {
      LOG.debug(
          "client went away during {} {}: {}",
          request.getMethodName(),
          request.getPath(),
          exception.toString());
      return OpenAiError.response(
          400, "the request body ended early", "invalid_request_error", "invalid_request");
    }
    var database = DatabaseErrors.unreachable(exception);
    if (database.isPresent()) {
      LOG.warn(
          "{} {}: the database is unreachable: {}",
          request.getMethodName(),
          OpenAiError.shorten(request.getPath(), 200),
          exception.toString());
      return database.get();
    }
    LOG.error(
        "unexpected error on {} {}",
        request.getMethodName(),
        OpenAiError.shorten(request.getPath(), 200),
        exception);
    return OpenAiError.response(
        500,
        "internal error: " + exception.getClass().getSimpleName() + "; see the gateway log",
        "server_error",
        "internal");
  }
}

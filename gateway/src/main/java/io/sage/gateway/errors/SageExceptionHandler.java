package io.sage.gateway.errors;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.sage.spi.SageException;
import jakarta.inject.Singleton;

/** Maps the one error type to its HTTP status and the OpenAI error shape. */
@Produces
@Singleton
@Requires(classes = {SageException.class, ExceptionHandler.class})
final class SageExceptionHandler implements ExceptionHandler<SageException, HttpResponse<?>> {
  @Override
  public HttpResponse<?> handle(HttpRequest request, SageException exception) {
    // a launch or a stop that failed because its write could not reach the database
    return DatabaseErrors.unreachable(exception).orElseGet(() -> OpenAiError.response(exception));
  }
}

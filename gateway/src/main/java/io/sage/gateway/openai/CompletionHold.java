package io.sage.gateway.openai;

import io.micronaut.core.io.buffer.ReadBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Holds back the last chunk of a relayed body until something is durable: every chunk but the
 * newest goes out as it arrives; when the engine's body ends, {@code commit} runs and the held
 * chunk follows only once it has completed. A client therefore cannot see a response as complete
 * (the last bytes of a JSON body, or the chunk carrying {@code data: [DONE]}) before, for example,
 * its session turn is stored. A failed commit ends the body with a {@link NotStoredException}: the
 * relay turns it into an SSE error event for streams and cuts other responses, so the client does
 * not take the answer as acknowledged.
 */
final class CompletionHold {
  private CompletionHold() {}

  /** The commit before the last chunk failed. */
  static final class NotStoredException extends RuntimeException {
    NotStoredException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static Flux<ReadBuffer> holdLast(
      Flux<ReadBuffer> body, Supplier<CompletableFuture<Void>> commit) {
    return Flux.defer(
        () -> {
          AtomicReference<ReadBuffer> held = new AtomicReference<>();
          Flux<ReadBuffer> allButLast =
              body.concatMap(
                  chunk -> {
                    ReadBuffer previous = held.getAndSet(chunk);
                    return previous == null ? Mono.empty() : Mono.just(previous);
                  });
          Mono<ReadBuffer> last =
              Mono.defer(
                  () ->
                      Mono.fromFuture(commit)
                          .onErrorMap(
                              error ->
                                  new NotStoredException(
                                      "the reply could not be stored ("
                                          + rootMessage(error)
                                          + "); the turn is not acknowledged",
                                      error))
                          .then(Mono.justOrEmpty(held.getAndSet(null))));
          return allButLast
              .concatWith(last)
              .doFinally(
                  signal -> {
                    ReadBuffer left = held.getAndSet(null);
                    if (left != null) {
                      left.close();
                    }
                  });
        });
  }

  private static String rootMessage(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}

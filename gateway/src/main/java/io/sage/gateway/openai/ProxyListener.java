package io.sage.gateway.openai;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Observes proxied inference requests (metrics, access log, conversation sessions). Every {@code
 * ProxyListener} bean is told about every request; a per-request listener can be passed to {@link
 * EngineProxy#forward}. Callbacks run on I/O threads: they must be cheap and never block.
 */
public interface ProxyListener {

  /** Once per client request, after the body was inspected and before routing. */
  default void onStart(ProxyCall call) {}

  /** The request is being sent to {@code engineId} (once per attempt). */
  default void onAttempt(ProxyCall call, String engineId) {}

  /**
   * The attempt on {@code engineId} failed before any byte reached the client and will be retried.
   */
  default void onRetry(ProxyCall call, String engineId, String reason) {}

  /** The engine's status line and headers arrived; the response is being relayed. */
  default void onResponse(ProxyCall call, String engineId, int status) {}

  /**
   * A chunk of the engine's response body, in order. Called only for listeners that return true
   * from {@link #wantsBody}; the buffer is read-only and only valid during the call.
   */
  default void onBody(ProxyCall call, ByteBuffer chunk) {}

  /** Whether this listener reads bodies (others cost nothing on the byte path). */
  default boolean wantsBody(ProxyCall call) {
    return false;
  }

  /**
   * The engine's body ended normally with {@code status}; the relay holds back its last chunk until
   * the returned stage completes, so what this listener makes durable here (a session turn) is
   * stored before the client can see the response as complete. A stage that fails cuts the response
   * instead (an SSE error event for streams), so the client never takes it as acknowledged. Called
   * only for listeners that read bodies; the default holds nothing back.
   */
  default CompletionStage<Void> beforeComplete(ProxyCall call, String engineId, int status) {
    return CompletableFuture.completedFuture(null);
  }

  /** Whether {@link #beforeComplete} must finish before the client sees the last chunk. */
  default boolean holdsCompletion(ProxyCall call) {
    return false;
  }

  /**
   * Exactly once per client request: the response completed, failed, was cut, or was answered by
   * the gateway itself (status set, no engine).
   */
  default void onEnd(ProxyCall call, ProxyOutcome outcome) {}
}

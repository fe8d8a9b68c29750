package io.sage.gateway.observability;

import java.util.Objects;

/**
 * One access log line: a finished inference request. Built on the request's thread from values
 * already at hand; written as JSON by {@link AccessLogWriter} on its own thread.
 *
 * @param startMillis when the request arrived (epoch ms)
 * @param requestId the {@code x-request-id} sent to the engine and back
 * @param keyId the API key id that authenticated it, or {@code anonymous}
 * @param engine the engine that answered, or null when the gateway answered itself
 * @param latencyNanos arrival to end of response
 * @param firstByteNanos arrival to first response byte, or -1
 * @param retries attempts that failed before the one that answered
 * @param error why the response did not complete, or null
 */
record AccessLogEntry(
    long startMillis,
    String requestId,
    String keyId,
    String route,
    String model,
    boolean stream,
    String engine,
    int status,
    boolean completed,
    long latencyNanos,
    long firstByteNanos,
    long bytesIn,
    long bytesOut,
    int retries,
    String error) {
  AccessLogEntry {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(model, "model");
    // values a client chose (a 4 MB model name) are cut: a line costs a few hundred bytes at most
    model = io.sage.gateway.errors.OpenAiError.shorten(model, MAX_VALUE);
    error = io.sage.gateway.errors.OpenAiError.shorten(error, MAX_VALUE);
  }

  /** Longest model name or error text written into one line. */
  static final int MAX_VALUE = 256;
}
